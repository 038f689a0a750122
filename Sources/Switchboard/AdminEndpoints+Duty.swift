import FoundationEssentials
import HTTPServer
import JSON
import Platform
import Routing
import Store

/// The operator's view (`GET /admin/overview`, what the page at `/admin/` shows) and pausing a
/// member (`POST /admin/pools/{pool}/members/{member}/pause|resume`).
extension AdminEndpoints {
    struct PauseView: Encodable {
        var by: String
        var reason: String?
        var until: String?
        var since: String
    }

    struct TodayView: Encodable {
        var offered = 0
        var answered = 0
        var missed = 0
        var voicemails = 0
    }

    struct DutyMemberView: Encodable {
        var address: String
        var name: String?
        /// `available`, `paused`, `off_shift` (outside the member's own hours), `disabled` (routes.json).
        var state: String
        var paused: PauseView?
        var today: TodayView
    }

    struct DutyPoolView: Encodable {
        var name: String
        var strategy: String
        var open: Bool
        /// Who the next call is offered to first (nil: nobody on duty).
        var next: String?
        var members: [DutyMemberView]
    }

    struct RoutesView: Encodable {
        var path: String
        var ok: Bool
        var loaded: String
        var error: String?
        var summary: String
    }

    struct CallView: Encodable {
        var id: String, time: String, from: String, to: String, pool: String
        var outcome: String?
        var answeredBy: String?
        var talkSeconds: Int?

        enum CodingKeys: String, CodingKey {
            case id, time, from, to, pool, outcome, answeredBy = "answered_by", talkSeconds = "talk_seconds"
        }
    }

    struct MessageView: Encodable {
        var id: String, time: String, from: String, to: String, pool: String, member: String
        var status: String?
    }

    struct RecordingView: Encodable {
        var callID: String, time: String, from: String, to: String, pool: String, recordingURL: String
        var duration: Int?

        enum CodingKeys: String, CodingKey {
            case callID = "call_id", time, from, to, pool, recordingURL = "recording_url", duration
        }
    }

    struct Overview: Encodable {
        var routes: RoutesView
        var pools: [DutyPoolView]
        var calls: [CallView]
        var messages: [MessageView]
        var voicemails: [RecordingView]
    }

    func overview(_ request: HTTPRequest) throws -> HTTPResponse {
        let now = clock()
        let current = routes.currentRoutes
        let pauses = roster.pauses
        let availability = Availability(pauses)
        let names = current.pools.keys.sorted()
        let states = try store.poolStates(StateQuery(pools: Dictionary(uniqueKeysWithValues: names.map { ($0, StateNeeds.position) }),
                                                     caller: "", now: now))
        // Today's calls, from the earliest midnight of the pools' zones.
        let calls = try store.calls(since: now.addingTimeInterval(-26 * 3600), outcome: nil, pool: nil, limit: 5000)
        let pools = names.map { name -> DutyPoolView in
            let pool = current.pools[name]!
            let probe = RouteRequest(channel: .voice, id: "", from: "", to: "", now: now, availability: availability)
            var random = SystemRandomNumberGenerator()
            let next = pool.order(state: states[name] ?? PoolState(), channel: .voice, random: &random, for: probe).first?.address
            let midnight = Self.startOfDay(now, in: pool.hours?.timeZone)
            let today = calls.filter { $0.pool == name && $0.time >= midnight }
            let members = pool.members.map { member -> DutyMemberView in
                let pause = pauses.first { $0.pool == name && $0.member == member.address && availability.isPaused(pool: name, member: member.address, at: now) }
                var counts = TodayView()
                for call in today where call.rung.contains(member.address) || call.member == member.address {
                    counts.offered += 1
                    if call.outcome == .answered && call.member == member.address { counts.answered += 1 }
                    if call.outcome == .missed { counts.missed += 1 }
                    if call.outcome == .voicemail { counts.voicemails += 1 }
                }
                return Self.memberView(member, of: pool, pause: pause, now: now, today: counts)
            }
            return DutyPoolView(name: name, strategy: pool.strategy.rawValue, open: pool.isOpen(at: now), next: next, members: members)
        }
        let load = routes.loadState
        let routesView = RoutesView(path: routes.path, ok: load.lastError == nil, loaded: load.loaded.formatted(.iso8601), error: load.lastError,
                                    summary: current.summary(file: routes.path))
        // Recent calls: each routed one (its outcome once known) and those that rang nobody.
        let outcomes = Dictionary(calls.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let routed = try store.recentDecisions(channel: .voice, limit: 20)
        var recentCalls = routed.map { decision in
            let call = outcomes[decision.id]
            return CallView(id: decision.id, time: Self.iso(decision.time), from: decision.from, to: decision.to, pool: decision.pool,
                            outcome: call?.outcome?.rawValue, answeredBy: call?.member, talkSeconds: call?.talkSeconds)
        }
        let routedIDs = Set(routed.map(\.id))
        recentCalls += calls.filter { !routedIDs.contains($0.id) }.prefix(20).map {
            CallView(id: $0.id, time: Self.iso($0.time), from: $0.caller, to: $0.number, pool: $0.pool,
                     outcome: $0.outcome?.rawValue, answeredBy: $0.member, talkSeconds: $0.talkSeconds)
        }
        recentCalls.sort { $0.time > $1.time }
        let messages = try store.recentDecisions(channel: .sms, limit: 20).map {
            MessageView(id: $0.id, time: $0.time.formatted(.iso8601), from: $0.from, to: $0.to, pool: $0.pool, member: $0.member,
                        status: try store.currentStatus(id: $0.id))
        }
        let voicemails = try store.voicemails(since: .distantPast, pool: nil, limit: 20).map {
            RecordingView(callID: $0.callID, time: $0.time.formatted(.iso8601), from: $0.caller, to: $0.number, pool: $0.pool,
                          recordingURL: $0.recordingURL, duration: $0.seconds)
        }
        return try json(Overview(routes: routesView, pools: pools, calls: Array(recentCalls.prefix(20)), messages: messages, voicemails: voicemails))
    }

    /// `pause`: the member's pause in force, if any.
    static func memberView(_ member: Member, of pool: Pool, pause: MemberPause?, now: Date, today: TodayView) -> DutyMemberView {
        let state = pool.dutyState(of: member, availability: Availability(pause.map { [$0] } ?? []), at: now).rawValue
        let view = pause.map { pause -> PauseView in
            PauseView(by: pause.by.rawValue, reason: pause.reason, until: pause.until.map(iso), since: iso(pause.since))
        }
        return DutyMemberView(address: member.address, name: member.name, state: state, paused: view, today: today)
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    /// Midnight of `now`'s day in `zone` (UTC without one).
    static func startOfDay(_ now: Date, in zone: ZoneRules?) -> Date {
        let utc = Int64(now.timeIntervalSince1970.rounded(.down))
        let offset = Int64(zone?.secondsEast(at: utc) ?? 0)
        let local = utc + offset
        let midnight = (local >= 0 ? local / 86_400 : (local - 86_399) / 86_400) * 86_400
        return Date(timeIntervalSince1970: TimeInterval(midnight - offset))
    }

    /// `POST /admin/pools/{pool}/members/{member}/pause` (body: optional JSON `{"reason", "until"}`)
    /// and `.../resume`; `member` percent-encoded. Answers the member as `overview` shows it.
    func duty(_ request: HTTPRequest, path: String) throws -> HTTPResponse {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // "", "admin", "pools", POOL, "members", MEMBER, ACTION
        guard parts.count == 7, parts[1] == "admin", parts[2] == "pools", parts[4] == "members",
              ["pause", "resume"].contains(parts[6]) else {
            throw HTTPError(404, "not found: expected /admin/pools/POOL/members/MEMBER/pause or /resume")
        }
        // A path's `+` is a plus (E.164), not a space as in a form.
        func segment(_ text: String) -> String { URLEncodedForm.percentDecode(text.replacingAll("+", with: "%2B").utf8[...]) }
        let poolName = segment(parts[3])
        let address = segment(parts[5])
        guard let pool = routes.currentRoutes.pools[poolName] else { throw HTTPError(404, "no pool \"\(poolName)\" in routes.json") }
        guard pool.members.contains(where: { $0.address == address }) else {
            throw HTTPError(404, "\"\(address)\" is not a member of pool \"\(poolName)\"")
        }
        let now = clock()
        if parts[6] == "pause" {
            var reason: String?
            var until: Date?
            if !request.body.isEmpty {
                let body: JSONValue
                do { body = try JSONParser.parse(request.body) } catch { throw HTTPError(400, "the body is not JSON: \(error)") }
                if case .string(let text) = body["reason"]?.kind { reason = String(text.prefix(200)) }
                if case .string(let text) = body["until"]?.kind {
                    guard let date = try? Date(text, strategy: .iso8601) else { throw HTTPError(400, "until must be an ISO 8601 time, like 2026-12-06T18:00:00Z") }
                    guard date > now else { throw HTTPError(400, "until is in the past") }
                    until = date
                }
            }
            let pause = MemberPause(pool: poolName, member: address, by: .admin, reason: reason, until: until, since: now)
            try roster.pause(pause)
        } else {
            try roster.resume(pool: poolName, member: address)
        }
        let member = pool.members.first { $0.address == address }!
        let pause = roster.pauses.first { $0.pool == poolName && $0.member == address && Availability([$0]).isPaused(pool: poolName, member: address, at: now) }
        return try json(Self.memberView(member, of: pool, pause: pause, now: now, today: TodayView()))
    }
}
