import ArgumentParser
import FoundationEssentials
import Logging
import Routing
import SignalWire
import Store
import Switchboard

struct Numbers: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The project's numbers: find, buy, show, rename and release them; point them here.",
        subcommands: [List.self, Search.self, Buy.self, Show.self, Rename.self, Release.self, Usage.self, Configure.self, Restore.self,
                      Address.self]
    )

    struct Common: ParsableArguments {
        @OptionGroup var options: ConfigOptions

        /// `store`: where `configure` keeps the handlers it overwrites.
        func configurator(store: (any SwitchboardStore)? = nil) throws -> (AutoConfigurator, Routes) {
            let config = try options.resolve()
            var logger = Logger(label: "switchboard")
            // Quiet, except that a configure keeping handlers says what it replaced.
            logger.logLevel = store == nil ? .warning : .notice
            guard config.publicURL != nil else {
                throw CommandFailure("set --public-url or SWITCHBOARD_PUBLIC_URL: the URL SignalWire should call")
            }
            guard let configurator = AutoConfigurator(config: config, metrics: Metrics(), logger: logger, store: store) else {
                throw CommandFailure("set SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE_URL (Dashboard: API)")
            }
            let file = try RoutesFile(path: config.routesPath, logger: logger)
            return (configurator, file.currentRoutes)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the project's numbers and whether each points here.")
        @OptionGroup var common: Common

        func run() throws {
            let (configurator, routes) = try common.configurator()
            let owned: [PhoneNumber]
            do { owned = try configurator.client.listPhoneNumbers() } catch {
                writeStandardError("switchboard: \(error)\n")
                throw ExitCode(1)
            }
            var rows = [["NUMBER", "NAME", "CAPABILITIES", "VOICE", "SMS", "HERE", "ROUTED"]]
            for number in owned.sorted(by: { $0.number < $1.number }) {
                let here = number.pointsHere(publicURL: configurator.publicURL.raw)
                rows.append([
                    number.number, number.name ?? "", number.capabilities.joined(separator: ","),
                    "\(number.callHandler ?? "-") \(number.callRelayScriptURL ?? number.callRequestURL ?? "")",
                    "\(number.messageHandler ?? "-") \(number.messageRequestURL ?? "")",
                    here.voice && here.sms ? "yes" : here.voice ? "voice" : here.sms ? "sms" : "no",
                    routes.numbers[number.number] != nil ? "yes" : "no",
                ])
            }
            print(TextTable.render(rows))
        }
    }

    struct Configure: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Point the routed numbers at this daemon (or show the plan).")
        @OptionGroup var common: Common

        @Flag(name: .customLong("dry-run"), help: "Show what would change; change nothing.")
        var dryRun = false

        func run() throws {
            let databasePath = try common.options.resolve().databasePath
            // Where the handlers this overwrites are kept (a dry run changes nothing, keeps nothing).
            let store = dryRun ? nil : try StoreLocation(databasePath).open()
            defer { store?.close() }
            let (configurator, routes) = try common.configurator(store: store)
            let plan: ConfigurationPlan
            do { plan = try configurator.plan(for: routes) } catch {
                writeStandardError("switchboard: \(error)\n")
                throw ExitCode(1)
            }
            print(plan.description)
            guard !dryRun else { return }
            let report = configurator.apply(plan)
            print(report.description)
            if !report.succeeded { throw ExitCode(1) }
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put back the handlers Switchboard replaced (all numbers, or one), as they were before its first change.")
        @Argument(help: "Only this number (E.164).")
        var number: String?
        @Option(help: "SQLite database file or postgresql:// URL the handlers were kept in. Env: SWITCHBOARD_DB.")
        var db: String?

        func run() throws {
            var flags = ServeConfig.Flags()
            flags.db = db
            let config = try ServeConfig.resolve(flags, environment: ProcessInfo.processInfo.environment)
            let location = StoreLocation(config.databasePath)
            guard location.exists else {
                throw CommandFailure("\(location.display): no database, so no kept handlers (pass --db)")
            }
            let store = try location.open()
            defer { store.close() }
            let kept = try store.keptHandlers().filter { number == nil || $0.number == number }
            guard !kept.isEmpty else {
                return print("Nothing to restore: Switchboard has not changed \(number ?? "any number") (or it was restored already).")
            }
            let client = try NumbersAPI().client()
            var failed = false
            for handlers in kept {
                do {
                    _ = try client.restoreHandlers(id: handlers.numberID, handlers.fields)
                    try store.forgetHandlers(number: handlers.number)
                    print("Restored \(handlers.number): \(handlers.fields.keys.sorted().map { "\($0)=\(handlers.fields[$0]! ?? "null")" }.joined(separator: " "))")
                } catch {
                    failed = true
                    writeStandardError("switchboard: could not restore \(handlers.number): \(error)\n")
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
