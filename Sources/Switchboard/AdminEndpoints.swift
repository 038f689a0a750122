import FoundationEssentials
import HTTPServer
import Logging
import Routing
import SignalWire
import Store
import Platform

/// `GET /admin/*`, each behind `BearerAuth`. The handlers throw: a bad parameter is a 400, a store
/// that does not answer a 503 (`StoreError`), anything else a 500.
package struct AdminEndpoints: Sendable {
    let routes: RoutesFile
    let store: any SwitchboardStore
    /// Who is off duty, and where pauses go.
    let roster: DutyRoster
    let clock: @Sendable () -> Date

    package init(routes: RoutesFile, store: any SwitchboardStore, roster: DutyRoster? = nil, clock: @escaping @Sendable () -> Date = Date.init) {
        self.routes = routes
        self.store = store
        self.roster = roster ?? DutyRoster(store: store, logger: Logger(label: "switchboard.admin"), readingThrough: true)
        self.clock = clock
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
        /// answered, voicemail, missed, closed, unrouted; absent while the call may still be answered.
        var outcome: String?
        var answeredBy: String?
        var talkSeconds: Int?
        var rung: [String]?
        var recordingURL: String?

        enum CodingKeys: String, CodingKey {
            case time, id, from, to, pool, member, status, outcome
            case answeredBy = "answered_by", talkSeconds = "talk_seconds", rung, recordingURL = "recording_url"
        }

        mutating func add(_ call: CallOutcome) {
            outcome = call.outcome?.rawValue
            answeredBy = call.member
            talkSeconds = call.talkSeconds
            rung = call.rung
            recordingURL = call.recordingURL
        }
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
        let limit = try Self.requireLimit(request)
        if channel == .voice, let outcomeText = request.queryItems.first(where: { $0.0 == "outcome" })?.1 {
            guard let outcome = CallOutcomeKind(rawValue: outcomeText) else {
                throw HTTPError(400, "outcome must be one of: \(CallOutcomeKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return try calls(outcome: outcome, limit: limit)
        }
        let records = try store.recentDecisions(channel: channel, limit: limit)
        // Each routed call's outcome, from the outcomes of the calls since the oldest one listed.
        let outcomes = channel == .voice && !records.isEmpty
            ? Dictionary(try store.calls(since: records.map(\.time).min()!.addingTimeInterval(-60), outcome: nil, pool: nil, limit: 10 * limit)
                .map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            : [:]
        let views = try records.map { record in
            var view = DecisionView(time: record.time.formatted(.iso8601), id: record.id, from: record.from, to: record.to,
                                    pool: record.pool, member: record.member, status: try store.currentStatus(id: record.id))
            if let call = outcomes[record.id] { view.add(call) }
            return view
        }
        return try json([channel == .voice ? "calls" : "messages": views])
    }

    /// Calls of one outcome, newest first: with `closed` and `unrouted`, the calls that rang nobody.
    private func calls(outcome: CallOutcomeKind, limit: Int) throws -> HTTPResponse {
        let views = try store.calls(since: .distantPast, outcome: outcome, pool: nil, limit: limit).map { call in
            var view = DecisionView(time: call.time.formatted(.iso8601), id: call.id, from: call.caller, to: call.number,
                                    pool: call.pool, member: call.member ?? call.rung.first ?? "", status: try store.currentStatus(id: call.id))
            view.add(call)
            return view
        }
        return try json(["calls": views])
    }

    struct VoicemailView: Encodable {
        var time: String
        var callID: String
        var from: String
        var to: String
        var pool: String
        var recordingURL: String
        var seconds: Int?

        enum CodingKeys: String, CodingKey {
            case time, callID = "call_id", from, to, pool, recordingURL = "recording_url", seconds
        }
    }

    /// Recordings, newest first; `?pool=` for one pool's, `?limit=` (default 50).
    func voicemails(_ request: HTTPRequest) throws -> HTTPResponse {
        let limit = try Self.requireLimit(request)
        let pool = request.queryItems.first { $0.0 == "pool" }?.1
        let views = try store.voicemails(since: .distantPast, pool: pool, limit: limit).map {
            VoicemailView(time: $0.time.formatted(.iso8601), callID: $0.callID, from: $0.caller, to: $0.number, pool: $0.pool,
                          recordingURL: $0.recordingURL, seconds: $0.seconds)
        }
        return try json(["voicemails": views])
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

    /// `?limit=` (1...1000, default 50); nil when out of range.
    static func limit(_ request: HTTPRequest) -> Int? {
        let text = request.queryItems.first { $0.0 == "limit" }?.1 ?? "50"
        guard let limit = Int(text), (1...1000).contains(limit) else { return nil }
        return limit
    }

    static func requireLimit(_ request: HTTPRequest) throws(HTTPError) -> Int {
        guard let limit = limit(request) else { throw HTTPError(400, "limit must be 1...1000") }
        return limit
    }

    func json(_ value: some Encodable) throws -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return HTTPResponse(status: 200, contentType: "application/json", body: Array(try encoder.encode(value)))
    }
}
