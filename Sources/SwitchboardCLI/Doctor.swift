import ArgumentParser
import FoundationEssentials
import Logging
import Switchboard

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check everything between a call and a member; say what to fix. Exit 0 only when nothing is a problem.",
        discussion: """
        Checks routes.json, the API credentials (a read-only call), every routed number (owned, its \
        capabilities, pointing here, E911), numbers only the default route covers, the public URL (a \
        signed request through it must reach this daemon unchanged), the SWML and cXML each route \
        renders, and the last day's failures in the database. Reads the same flags and environment \
        as `serve`.
        """
    )

    @OptionGroup var options: ConfigOptions

    @Flag(help: "One JSON document instead of the text.")
    var json = false

    struct Report: Encodable {
        var ok: Bool
        var checks: [DoctorFinding]
    }

    func run() throws {
        let config = try options.resolve()
        var logger = Logger(label: "switchboard")
        logger.logLevel = .critical
        let findings = DoctorRun(config: config, logger: logger).run()
        let ok = !findings.contains { $0.level == .problem }
        if json {
            try printJSON(Report(ok: ok, checks: findings))
        } else {
            for finding in findings {
                let lines = finding.message.split(separator: "\n", omittingEmptySubsequences: false)
                print("\(finding.level.rawValue.padding(8)) \(finding.check): \(lines[0])")
                for line in lines.dropFirst() { print("         \(line)") }
                if let fix = finding.fix { print("         fix: \(fix)") }
            }
            let problems = findings.filter { $0.level == .problem }.count, warnings = findings.filter { $0.level == .warning }.count
            print(problems > 0 ? "\n\(problems) problem(s), \(warnings) warning(s) in \(findings.count) checks."
                : warnings > 0 ? "\nNothing stops a call; \(warnings) warning(s) in \(findings.count) checks."
                : "\nAll \(findings.count) checks passed.")
        }
        if !ok { throw ExitCode(1) }
    }
}

private extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
