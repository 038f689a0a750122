import FoundationEssentials

/// Decides where calls and texts go. Pure: the store supplies pool state, the caller answers and records.
///
/// The app's sequence for one request:
/// 1. `resolve(route:)`, whose `stateQuery` is nil when no pool state is needed (and nothing will
///    be recorded).
/// 2. Inside the store's transaction, `decide(_:states:random:)` with that resolved route and the
///    states the store loaded; store `outcome.records`; answer with `outcome.plan`.
/// (`stateQuery(for:)` and `decide(request, ...)` do the same from the request, resolving it each time.)
///
/// For a text, first ask `relayMember(for:)`: when a member texts the pool number, look up the
/// customer who last reached them and answer `relay(_:toCustomer:)` instead.
package struct RoutingEngine: Sendable {
    /// The routes, kept in a box of their own: an engine is copied into every request's closures, and
    /// a copy is then one reference instead of every dictionary and string of `Routes`.
    private let box: RoutesBox
    package var routes: Routes { box.routes }

    package init(routes: Routes) {
        box = RoutesBox(routes)
    }

    /// The pools a decision will order (the pool rung first, then its open overflow pools; for texts
    /// only the first), each with the state its strategy and stickiness read. nil when no pool is
    /// rung: not in service, dropped, or closed with voicemail or a message.
    package func stateQuery(for request: RouteRequest) -> StateQuery? {
        resolve(route: request).stateQuery
    }

    /// `request` resolved to its pools once, with the state a decision needs: `decide` reuses it.
    package func resolve(route request: RouteRequest) -> ResolvedRoute {
        let resolution = resolve(request)
        guard case .ring(let pools) = resolution.target else {
            return ResolvedRoute(request: request, resolution: resolution, stateQuery: nil)
        }
        var needs: [String: StateNeeds] = [:]
        var members: [String: [String]] = [:]
        // Texts follow the conversation of the first pool's window.
        let window = request.channel == .sms ? TimeInterval(pools.first?.conversationHours ?? 0) * 3600 : 0
        for pool in pools {
            var poolNeeds = pool.stateNeeds
            if window > 0 { poolNeeds.insert(.conversation) }
            needs[pool.name] = poolNeeds
            if !poolNeeds.isDisjoint(with: [.lastOffered, .recentCounts]) { members[pool.name] = pool.members.map(\.address) }
        }
        return ResolvedRoute(request: request, resolution: resolution,
                             stateQuery: StateQuery(pools: needs, caller: request.from, now: request.now, members: members,
                                                    dialed: window > 0 ? request.to : "", conversationWindow: window))
    }

    /// The plan for `request`, and one record for the pool rung first (its first member), none when
    /// no member is offered. A pool missing from `states` counts as having no state.
    package func decide(
        _ request: RouteRequest,
        states: [String: PoolState],
        random: inout some RandomNumberGenerator
    ) -> RouteOutcome {
        decide(resolve(route: request), states: states, random: &random)
    }

    /// `decide` for a route resolved by this engine (`resolve(route:)`), without resolving it again.
    package func decide(
        _ route: ResolvedRoute,
        states: [String: PoolState],
        random: inout some RandomNumberGenerator
    ) -> RouteOutcome {
        let request = route.request
        let resolution = route.resolution
        let greeting = resolution.route?.greeting
        switch resolution.target {
        case .unrouted:
            return RouteOutcome(plan: request.channel == .voice ? .notInService : .drop, records: [])
        case .closedVoicemail(let pool):
            return RouteOutcome(plan: .call(CallPlan(greeting: greeting, voicemail: pool.voicemail)), records: [])
        case .closedMessage(let message, _):
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

/// A request and the pools it reaches (see `RoutingEngine.resolve(route:)`).
package struct ResolvedRoute: Sendable {
    package let request: RouteRequest
    let resolution: RoutingEngine.Resolution
    /// The state to load before deciding; nil when no pool is rung (nothing will be recorded).
    package let stateQuery: StateQuery?
}

/// Immutable, so shared freely.
private final class RoutesBox: Sendable {
    let routes: Routes

    init(_ routes: Routes) {
        self.routes = routes
    }
}
