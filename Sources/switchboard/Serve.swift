import ArgumentParser
import Foundation
import HTTPServer
import Logging
import Switchboard
#if canImport(Glibc)
import Glibc
#endif

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon.")

    @Option(help: "Address to listen on, HOST:PORT ([::]:8080 for every IPv6 and IPv4 address). Env: SWITCHBOARD_LISTEN.")
    var listen: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. Env: SWITCHBOARD_LOG_LEVEL.")
    var logLevel: String?

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        let listenText = listen ?? env["SWITCHBOARD_LISTEN"] ?? "127.0.0.1:8080"
        guard let address = ListenAddress(listenText) else {
            throw ValidationError("--listen \(listenText): expected HOST:PORT, e.g. 127.0.0.1:8080 or [::]:8080")
        }
        var logger = Logger(label: "switchboard")
        let levelText = logLevel ?? env["SWITCHBOARD_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ValidationError("--log-level \(levelText): expected trace, debug, info, notice, warning, error or critical")
        }
        logger.logLevel = level

        let daemon = Daemon(options: .init(listen: address), logger: logger)
        let signals = SignalWatcher()
        signals.on(SIGTERM) { daemon.stop() }
        signals.on(SIGINT) { daemon.stop() }
        do {
            try daemon.start()
        } catch {
            logger.critical("Cannot listen", metadata: ["address": "\(address)", "error": "\(error)"])
            throw ExitCode(1)
        }
        daemon.wait()
    }
}
