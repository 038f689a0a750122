/// Calls: one ring step per pool.
extension RoutingEngine {
    func callOutcome(
        _ request: RouteRequest,
        pools: [Pool],
        greeting: String?,
        states: [String: PoolState],
        random: inout some RandomNumberGenerator
    ) -> RouteOutcome {
        var steps: [RingStep] = []
        steps.reserveCapacity(pools.count)
        for pool in pools {
            let order = pool.order(state: states[pool.name] ?? PoolState(), channel: .voice, random: &random, for: request)
            guard !order.isEmpty else { continue }
            let targets = order.map { RingTarget(address: $0.address, name: $0.name, timeout: pool.ringTimeout) }
            steps.append(RingStep(pool: pool.name, parallel: pool.strategy.ringsInParallel, targets: targets,
                                  confirm: pool.confirm, callerID: pool.callerID))
        }
        let plan = CallPlan(greeting: greeting, steps: steps, voicemail: pools[0].voicemail)
        let records = steps.first.map { [record(request, pool: $0.pool, member: $0.targets[0].address)] } ?? []
        return RouteOutcome(plan: .call(plan), records: records)
    }
}
