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
        var address = listen ?? ProcessInfo.processInfo.environment["SWITCHBOARD_LISTEN"] ?? "127.0.0.1:8080"
        // A daemon on every address answers on loopback.
        address = address.replacingAll("[::]:", with: "[::1]:").replacingAll("0.0.0.0:", with: "127.0.0.1:")
        let finding = HealthProbe.probe(address: address, timeoutSeconds: timeout)
        print(finding)
        guard finding.isHealthy else { throw ExitCode(1) }
    }
}
