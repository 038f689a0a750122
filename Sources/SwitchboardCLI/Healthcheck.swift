import ArgumentParser
import FoundationEssentials
import Switchboard
import Platform

struct Healthcheck: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "GET /healthz on a running daemon: exit 0 when healthy (container HEALTHCHECK).")

    @Option(help: "HOST:PORT of the daemon. Env: SWITCHBOARD_LISTEN. Default: 127.0.0.1:8080.")
    var listen: String?

    @Option(help: "Seconds to wait.")
    var timeout: Double = 3

    func run() throws {
        // A daemon on every address answers on loopback: HealthProbe asks ::1 and then 127.0.0.1 for
        // `[::]` (a container without IPv6 has only the second), 127.0.0.1 for `0.0.0.0`.
        let address = listen ?? ProcessInfo.processInfo.environment["SWITCHBOARD_LISTEN"] ?? "127.0.0.1:8080"
        let finding = HealthProbe.probe(address: address, timeoutSeconds: timeout)
        print(finding)
        guard finding.isHealthy else { throw ExitCode(1) }
    }
}
