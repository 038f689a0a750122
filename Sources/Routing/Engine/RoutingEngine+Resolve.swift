import FoundationEssentials

/// Which pools a request reaches: number lookup, business hours, overflow chain.
extension RoutingEngine {
    struct Resolution: Sendable {
        enum Target: Sendable {
            /// No pool for this number and channel.
            case unrouted
            /// Closed, action `voicemail`: this pool's voicemail.
            case closedVoicemail(Pool)
            /// Closed, action `message`: this pool's message.
            case closedMessage(String, pool: String)
            /// The pools to order, first one first (never empty).
            case ring([Pool])
        }

        var route: NumberRoute?
        var target: Target
    }

    /// For a call that rings nobody: whether it met a closed pool (and which) rather than a number no
    /// pool takes; nil when members are rung. Outcomes `closed` and `unrouted` come from here.
    package func unrung(_ request: RouteRequest) -> (closed: Bool, pool: String)? {
        switch resolve(request).target {
        case .unrouted: return (false, "")
        case .closedVoicemail(let pool): return (true, pool.name)
        case .closedMessage(_, let pool): return (true, pool)
        case .ring: return nil
        }
    }

    /// The route for `request.to` (its entry, else the default) and where it leads at `request.now`.
    ///
    /// A closed pool follows its closed action; action `pool` hands over to that pool entirely (its
    /// strategy, overflow, voicemail and hours). Texts follow only action `pool`: otherwise they are
    /// forwarded even when closed, since a text waits for whoever reads it. Calls then add the overflow
    /// chain, skipping overflow pools that are closed (their own overflow is still tried). A chain that
    /// revisits a pool stops there (validation refuses such cycles).
    func resolve(_ request: RouteRequest) -> Resolution {
        let route = routes.route(for: request.to)
        guard let name = route?.pool(for: request.channel), var pool = routes.pools[name] else {
            return Resolution(route: route, target: .unrouted)
        }
        // Pools already passed through (a handful at most: an array, no hashing per request).
        var visited = [pool.name]
        // Closed by its hours or holidays, or nobody on duty (all paused or off shift): the closed
        // action (voicemail, for a pool without hours).
        closedHours: while !pool.takes(request) {
            switch (pool.hours?.closed ?? .voicemail, request.channel) {
            case (.voicemail, .voice):
                return Resolution(route: route, target: .closedVoicemail(pool))
            case (.message(let message), .voice):
                return Resolution(route: route, target: .closedMessage(message, pool: pool.name))
            case (.pool(let next), _):
                guard let nextPool = routes.pools[next], !visited.contains(next) else { break closedHours }
                visited.append(next)
                pool = nextPool
            case (.voicemail, .sms), (.message, .sms):
                break closedHours
            }
        }
        var pools = [pool]
        if request.channel == .voice {
            var chained = [pool.name]
            var next = pool.overflow
            while let name = next, let overflow = routes.pools[name], !chained.contains(name) {
                chained.append(name)
                if overflow.takes(request) { pools.append(overflow) }
                next = overflow.overflow
            }
        }
        return Resolution(route: route, target: .ring(pools))
    }
}
