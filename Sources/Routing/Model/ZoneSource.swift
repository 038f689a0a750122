/// Where routes.json's time zones come from. Routing reads no file: the daemon and the CLI pass
/// their tz database (`TZDatabase`), tests a table of rules.
package protocol ZoneSource: Sendable {
    /// The zone called `identifier`; nil when there is none of that name.
    func zone(named identifier: String) -> ZoneRules?
    /// The names of every zone, for "did you mean" hints.
    var identifiers: [String] { get }
}

/// Zones given by POSIX TZ rules, without history: for tests, whatever the host's tzdata.
package struct RuleZones: ZoneSource {
    private let zones: [String: ZoneRules]

    /// `rules`: zone name -> POSIX TZ rule. A rule that does not parse is a programming error.
    package init(_ rules: [String: String]) {
        zones = rules.reduce(into: [:]) { zones, entry in
            guard let zone = ZoneRules(identifier: entry.key, posix: entry.value) else {
                preconditionFailure("not a POSIX TZ rule: \(entry.value)")
            }
            zones[entry.key] = zone
        }
    }

    package func zone(named identifier: String) -> ZoneRules? { zones[identifier] }

    package var identifiers: [String] { zones.keys.sorted() }
}
