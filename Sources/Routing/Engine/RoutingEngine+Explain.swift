import FoundationEssentials

extension RoutingEngine {
    /// Why `request` goes where it goes, a line per step: which number rule applied, which pool, each
    /// pool's hours as its own clock reads them, the overflow chain, and the result (`switchboard route`
    /// prints it). Reads only the routes and `request.now`, like `resolve`.
    package func explain(_ request: RouteRequest) -> [String] {
        let what = request.channel == .voice ? "calls" : "texts"
        let listed = routes.numbers[request.to] != nil
        guard let route = routes.route(for: request.to) else {
            return ["\(request.to): not in routes.json, and there is no default route: \(Self.unrouted(request.channel))"]
        }
        var lines = [listed ? "\(request.to): its own entry in routes.json" : "\(request.to): not in routes.json, so the default route"]
        guard let first = route.pool(for: request.channel), routes.pools[first] != nil else {
            lines.append("no pool for \(what) to this number: \(Self.unrouted(request.channel))")
            return lines
        }
        lines.append("\(what) go to pool \(first)")
        // The closed pools passed through, as resolve follows them.
        var name = first
        var visited: [String] = []
        while let pool = routes.pools[name], !visited.contains(name) {
            visited.append(name)
            let clock = pool.hours.map { " (\($0.localTime(at: request.now)))" } ?? ""
            guard !pool.takes(request) else {
                if pool.hours != nil { lines.append("\(name): open\(clock)") }
                break
            }
            lines.append("\(name): closed: \(Self.whyClosed(pool, request))")
            guard case .pool(let next) = pool.hours?.closed ?? .voicemail else { break }
            lines.append("\(name): closed action hands \(what) to pool \(next)")
            name = next
        }
        switch resolve(request).target {
        case .unrouted:
            lines.append(Self.unrouted(request.channel))
        case .closedVoicemail(let pool):
            lines.append("result: closed: \(pool.name)'s voicemail" + (pool.voicemail == nil ? " (none set: hang up)" : ""))
        case .closedMessage(_, let pool):
            lines.append("result: closed: \(pool)'s closed message, then hang up")
        case .ring(let pools):
            let pool = pools[0]
            let order = pool.strategy == .simultaneous ? "all at once" : "\(pool.strategy.rawValue)"
            if request.channel == .sms {
                let closed = pool.hours.map { !$0.isOpen(at: request.now) } ?? false
                lines.append("result: forwarded to pool \(pool.name) (\(order))" + (closed ? ", though it is closed: a text waits for whoever reads it" : ""))
            } else {
                lines.append("result: rings pool \(pool.name) (\(order))")
                var next = pool.overflow
                var chained = [pool.name]
                while let name = next, let overflow = routes.pools[name], !chained.contains(name) {
                    chained.append(name)
                    let open = pools.contains { $0.name == name }
                    lines.append(open ? "then overflow pool \(name)" : "overflow pool \(name) skipped: closed: \(Self.whyClosed(overflow, request))")
                    next = overflow.overflow
                }
            }
        }
        return lines
    }

    /// "outside hours, sat 19:05 America/New_York", "a holiday, ...", or "nobody on duty (...)".
    private static func whyClosed(_ pool: Pool, _ request: RouteRequest) -> String {
        if let hours = pool.hours, !hours.isOpen(at: request.now) {
            return (hours.isHoliday(at: request.now) ? "a holiday, " : "outside hours, ") + hours.localTime(at: request.now)
        }
        let paused = pool.members.filter { request.availability.isPaused(pool: pool.name, member: $0.address, at: request.now) }.count
        let offShift = pool.members.filter { !$0.isOnShift(at: request.now) }.count
        return "nobody on duty (\(paused) paused, \(offShift) off shift, \(pool.members.filter { !$0.enabled }.count) disabled)"
    }

    private static func unrouted(_ channel: Channel) -> String {
        channel == .voice ? "result: not in service" : "result: no reply, nothing forwarded"
    }
}
