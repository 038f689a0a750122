/// Checks that need the whole document: pool names, cycles, texts to SIP-only pools, members that
/// are routed numbers.
extension RoutesDecoder {
    mutating func checkReferences(_ routes: Routes) {
        for reference in references where !poolNames.contains(reference.pool) {
            let hint = KeySuggestion.closest(to: reference.pool, among: poolNames).map { " (did you mean \"\($0)\"?)" }
                ?? (poolNames.isEmpty ? "" : "; pools: " + poolNames.joined(separator: ", "))
            report(reference.path, reference.position, "no pool named \"\(reference.pool)\"\(hint)")
        }
        checkCycles(kind: "overflow") { if case .overflow(let from) = $0 { from } else { nil } }
        checkCycles(kind: "closed-hours") { if case .closed(let from) = $0 { from } else { nil } }
        checkTextablePools(routes)
        for site in memberSites where routes.numbers[site.address] != nil {
            report(site.path, site.position,
                   "\"\(site.address)\" is one of the numbers routed here; ringing it would loop back into Switchboard")
        }
    }

    /// Reports each cycle among the edges `source` picks out (pool → named pool) once, at the
    /// reference of its alphabetically first pool: `overflow cycle: a -> b -> a`.
    private mutating func checkCycles(kind: String, source: (PoolReference.Use) -> String?) {
        var edges: [String: PoolReference] = [:]
        for reference in references {
            if let from = source(reference.use), poolNames.contains(reference.pool) { edges[from] = reference }
        }
        var reported = Set<String>()
        for start in edges.keys.sorted() {
            var path = [start]
            var current = start
            while let next = edges[current]?.pool, path.count <= edges.count {
                if let loopStart = path.firstIndex(of: next) {
                    let cycle = Array(path[loopStart...])
                    let first = cycle.min()!
                    let rotation = cycle.firstIndex(of: first)!
                    let ordered = Array(cycle[rotation...] + cycle[..<rotation])
                    if reported.insert(first).inserted, let reference = edges[first] {
                        report(reference.path, reference.position,
                               "\(kind) cycle: \((ordered + [first]).joined(separator: " -> "))")
                    }
                    break
                }
                path.append(next)
                current = next
            }
        }
    }

    /// A pool that receives texts (directly, or as another's closed-hours pool) needs an enabled
    /// phone number: SIP members take calls only.
    private mutating func checkTextablePools(_ routes: Routes) {
        for reference in references where reference.use == .sms {
            var name: String? = reference.pool
            var seen = Set<String>()
            while let current = name, seen.insert(current).inserted, let pool = routes.pools[current] {
                if !incompletePools.contains(current) && !pool.members.isEmpty
                    && !pool.members.contains(where: { $0.isEligible(for: .sms) }) {
                    let role = current == reference.pool ? "" : " (closed-hours pool of \"\(reference.pool)\")"
                    report(reference.path, reference.position,
                           "pool \"\(current)\"\(role) has no enabled phone number to receive texts (sip: members take calls only)")
                }
                if case .pool(let next) = pool.hours?.closed { name = next } else { name = nil }
            }
        }
    }
}
