import ArgumentParser
import FoundationEssentials
import Logging
import Routing
import SignalWire
import Store
import Switchboard

struct Route: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the SWML (or cXML) a call (or text) would get now, without advancing any state."
    )

    @Option(help: "The dialed number.")
    var to: String

    @Option(help: "The caller's number.")
    var from: String = "+15550000000"

    @Flag(help: "Route a text message instead of a call.")
    var sms = false

    @Option(help: "The text's body (with --sms).")
    var body: String = ""

    @Option(help: "routes.json. Env: SWITCHBOARD_ROUTES. Default: ./routes.json.")
    var routes: String?

    @Option(help: "SQLite database file or postgresql:// URL to read the state from. Env: SWITCHBOARD_DB.")
    var db: String?

    @Option(name: .customLong("public-url"), help: "The URL SignalWire calls, for the callback URLs in the answer. Env: SWITCHBOARD_PUBLIC_URL.")
    var publicURL: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var flags = ServeConfig.Flags()
        flags.routes = routes
        flags.db = db
        flags.publicURL = publicURL
        let config = try ServeConfig.resolve(flags, environment: environment)
        var logger = Logger(label: "switchboard")
        logger.logLevel = .warning
        let file: RoutesFile
        do {
            file = try RoutesFile(path: config.routesPath, logger: logger)
        } catch {
            writeStandardError("\(error)\n")
            throw ExitCode(1)
        }
        // A dry run writes nothing: an existing database is opened read-only, a missing one is not
        // created (an empty scratch one stands in: every pool starts from its first member).
        let location = StoreLocation(config.databasePath)
        let exists = location.exists
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-route-\(UUID().uuidString)")
        if !exists { try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true) }
        let store = exists ? try location.open(readOnly: true) : try SQLiteStore(path: scratch.appendingPathComponent("empty.sqlite").path)
        defer {
            store.close()
            if !exists { try? FileManager.default.removeItem(at: scratch) }
        }
        let service = RoutingService(store: store, metrics: Metrics(), logger: logger)
        let request = RouteRequest(channel: sms ? .sms : .voice, id: "dry-run", from: from, to: to, now: Date(), body: body)
        let plan = service.plan(request, engine: file.current, requestID: "dry-run", dryRun: true)
        // Why, on stderr: stdout stays the document SignalWire would get.
        var why = file.current.explain(request)
        if case .call(let call) = plan, let step = call.steps.first {
            why.append("offered first: " + step.targets.prefix(step.parallel ? step.targets.count : 1).map { $0.name ?? $0.address }.joined(separator: ", "))
        } else if case .message(let texts) = plan, !texts.isEmpty {
            why.append("texted: " + texts.map(\.to).joined(separator: ", "))
        }
        writeStandardError(why.joined(separator: "\n") + "\n")
        let base = config.publicURL?.raw
        if sms {
            print(CXMLRenderer(callbackBase: base).render(plan).render())
        } else {
            let bytes = SWMLRenderer(callbackBase: base).render(plan, dialed: to).jsonBytes()
            print(try AnyJSON.pretty(bytes))
        }
    }
}
