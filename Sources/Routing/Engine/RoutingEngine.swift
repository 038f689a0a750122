import FoundationEssentials

/// Decides where calls and texts go. Pure: the store supplies pool state, the caller answers and records.
///
/// The app's sequence for one request:
/// 1. `stateQuery(for:)`; nil means no pool state is needed (and nothing will be recorded).
/// 2. Inside the store's transaction, `decide(_:states:random:)` with the states it loaded; store
///    `outcome.records`; answer with `outcome.plan`.
///
/// For a text, first ask `relayMember(for:)`: when a member texts the pool number, look up the
/// customer who last reached them and answer `relay(_:toCustomer:)` instead.
public struct RoutingEngine: Sendable {
    public let routes: Routes

    public init(routes: Routes) {
        self.routes = routes
    }

    /// The pools a decision will order (the pool rung first, then its open overflow pools; for texts
    /// only the first), each with the state its strategy and stickiness read. nil when no pool is
    /// rung: not in service, dropped, or closed with voicemail or a message.
    public func stateQuery(for request: RouteRequest) -> StateQuery? {
        guard case .ring(let pools) = resolve(request).target else { return nil }
        var needs: [String: StateNeeds] = [:]
        for pool in pools { needs[pool.name] = pool.stateNeeds }
        return StateQuery(pools: needs, caller: request.from, now: request.now)
    }

    /// The plan for `request`, and one record for the pool rung first (its first member), none when
    /// no member is offered. A pool missing from `states` counts as having no state.
    public func decide(
        _ request: RouteRequest,
        states: [String: PoolState],
        random: inout some RandomNumberGenerator
    ) -> RouteOutcome {
        let resolution = resolve(request)
        let greeting = resolution.route?.greeting
        switch resolution.target {
        case .unrouted:
            return RouteOutcome(plan: request.channel == .voice ? .notInService : .drop, records: [])
        case .closedVoicemail(let pool):
            return RouteOutcome(plan: .call(CallPlan(greeting: greeting, voicemail: pool.voicemail)), records: [])
        case .closedMessage(let message):
            return RouteOutcome(plan: .call(CallPlan(greeting: greeting, closedMessage: message)), records: [])
        case .ring(let pools):
            switch request.channel {
            case .voice: return callOutcome(request, pools: pools, greeting: greeting, states: states, random: &random)
            case .sms: return textOutcome(request, pool: pools[0], states: states, random: &random)
            }
        }
    }

    func record(_ request: RouteRequest, pool: String, member: String) -> DecisionRecord {
        DecisionRecord(time: request.now, channel: request.channel, id: request.id,
                       from: request.from, to: request.to, pool: pool, member: member)
    }
}
