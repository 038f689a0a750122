import FoundationEssentials
import HTTPServer
import Routing
import SignalWire
import Store
import Platform

/// `GET /admin/*` behind `Authorization: Bearer TOKEN`; off (404) without a token.
public struct AdminEndpoints: Sendable {
    let token: String?
    let routes: RoutesFile
    let store: any SwitchboardStore
    let clock: @Sendable () -> Date

    public init(token: String?, routes: RoutesFile, store: any SwitchboardStore, clock: @escaping @Sendable () -> Date = Date.init) {
        self.token = token
        self.routes = routes
        self.store = store
        self.clock = clock
    }

    /// Wraps an admin handler with the bearer check.
    func guarded(_ body: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) -> HTTPHandler {
        let token = token
        return { request in
            guard let token else { return .text(404, "the admin API is off: set SWITCHBOARD_ADMIN_TOKEN") }
            guard let header = request.headers["Authorization"], header.lowercased().hasPrefix("bearer "),
                  ConstantTime.equals(Array(header.dropFirst(7).trimmingWhitespace().utf8), Array(token.utf8)) else {
                var response = HTTPResponse.text(401, "a valid Authorization: Bearer token is required")
                response.headers.add("WWW-Authenticate", "Bearer")
                return response
            }
            do {
                return try body(request)
            } catch {
                return .text(503, "the database did not answer: \(error)")
            }
        }
    }

    struct PoolView: Encodable {
        var name: String
        var strategy: String
        var position: String?
        var members: [MemberView]
    }

    struct MemberView: Encodable {
        var address: String
        var name: String?
        var enabled: Bool
        var decisions24h: Int
    }

    struct DecisionView: Encodable {
        var time: String
        var id: String
        var from: String
        var to: String
        var pool: String
        var member: String
        var status: String?
    }

    func pools(_ request: HTTPRequest) throws -> HTTPResponse {
        let now = clock()
        let current = routes.currentRoutes
        let names = current.pools.keys.sorted()
        let states = try store.poolStates(StateQuery(
            pools: Dictionary(uniqueKeysWithValues: names.map { ($0, StateNeeds.position) }), caller: "", now: now
        ))
        let rows = try store.stats(since: now.addingTimeInterval(-24 * 3600))
        let views = names.map { name -> PoolView in
            let pool = current.pools[name]!
            return PoolView(
                name: name, strategy: pool.strategy.rawValue, position: states[name]?.lastMember,
                members: pool.members.map { member in
                    MemberView(address: member.address, name: member.name, enabled: member.enabled,
                               decisions24h: rows.filter { $0.pool == name && $0.member == member.address }.reduce(0) { $0 + $1.count })
                }
            )
        }
        return try json(["pools": views])
    }

    func decisions(_ request: HTTPRequest, channel: Channel) throws -> HTTPResponse {
        let limitText = request.queryItems.first { $0.0 == "limit" }?.1 ?? "50"
        guard let limit = Int(limitText), (1...1000).contains(limit) else { return .text(400, "limit must be 1...1000") }
        let views = try store.recentDecisions(channel: channel, limit: limit).map { record in
            DecisionView(time: record.time.formatted(.iso8601), id: record.id, from: record.from, to: record.to,
                         pool: record.pool, member: record.member, status: try store.currentStatus(id: record.id))
        }
        return try json([channel == .voice ? "calls" : "messages": views])
    }

    struct OptOutView: Encodable {
        var number: String
        var customer: String
        var keyword: String
        var since: String
    }

    /// Customers who texted STOP to a pool number and have not texted START since.
    func optOuts(_ request: HTTPRequest) throws -> HTTPResponse {
        let views = try store.optOuts().map {
            OptOutView(number: $0.poolNumber, customer: $0.customer, keyword: $0.keyword, since: $0.time.formatted(.iso8601))
        }
        return try json(["opt_outs": views])
    }

    private func json(_ value: some Encodable) throws -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return HTTPResponse(status: 200, contentType: "application/json", body: Array(try encoder.encode(value)))
    }
}
