import ArgumentParser
import FoundationEssentials
import Logging
import Switchboard
#if canImport(Glibc)
import Glibc
#endif

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon.")

    @Option(help: "HOST:PORT to listen on ([::]:8080 for all IPv6 and IPv4 addresses). Env: SWITCHBOARD_LISTEN. Default: 127.0.0.1:8080.")
    var listen: String?

    @Option(help: "routes.json to serve. Env: SWITCHBOARD_ROUTES. Default: ./routes.json.")
    var routes: String?

    @Option(help: "SQLite database file, or a postgresql:// URL (several instances sharing one state). Env: SWITCHBOARD_DB. Default: $STATE_DIRECTORY/switchboard.sqlite, else ./switchboard.sqlite.")
    var db: String?

    @Option(name: .customLong("public-url"), help: "The URL SignalWire calls, e.g. https://sb.example.com. Env: SWITCHBOARD_PUBLIC_URL.")
    var publicURL: String?

    @Option(name: .customLong("admin-token"), help: "Bearer token for /admin/*. Env: SWITCHBOARD_ADMIN_TOKEN. Default: admin API off.")
    var adminToken: String?

    @Flag(name: .customLong("no-configure"), help: "Do not point the numbers at this daemon on startup. Env: SWITCHBOARD_NO_CONFIGURE=1.")
    var noConfigure = false

    @Flag(name: .customLong("allow-unauthenticated"), help: "Listen beyond loopback without a signing key. Env: SWITCHBOARD_ALLOW_UNAUTHENTICATED=1.")
    var allowUnauthenticated = false

    @Option(help: "trace, debug, info, notice, warning, error or critical. Env: SWITCHBOARD_LOG_LEVEL. Default: info.")
    var logLevel: String?

    func run() throws {
        var flags = ServeConfig.Flags()
        flags.listen = listen
        flags.routes = routes
        flags.db = db
        flags.publicURL = publicURL
        flags.adminToken = adminToken
        flags.noConfigure = noConfigure
        flags.allowUnauthenticated = allowUnauthenticated
        flags.logLevel = logLevel
        let environment = ProcessInfo.processInfo.environment
        let config: ServeConfig
        do {
            config = try ServeConfig.resolve(flags, environment: environment)
            try config.checkExposure()
            try config.checkSigning()
        } catch {
            writeStandardError("switchboard: \(error)\n")
            throw ExitCode(2)
        }
        let logger = LogSetup.bootstrap(level: config.logLevel)
        let daemon = Daemon(config: config, logger: logger, environment: environment)
        // Signal handlers go in before the socket listens: an early SIGTERM is never lost.
        let signals = SignalWatcher()
        signals.on(SIGTERM) { daemon.stop() }
        signals.on(SIGINT) { daemon.stop() }
        signals.on(SIGHUP) { daemon.reload() }
        do {
            try daemon.start()
        } catch {
            logger.critical("Cannot start", metadata: ["error": "\(error)"])
            writeStandardError("switchboard: \(error)\n")
            throw ExitCode(1)
        }
        daemon.wait()
    }
}
