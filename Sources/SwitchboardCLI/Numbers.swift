import ArgumentParser
import FoundationEssentials
import Logging
import Routing
import SignalWire
import Switchboard

struct Numbers: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The project's numbers: find, buy, show, rename and release them; point them here.",
        subcommands: [List.self, Search.self, Buy.self, Show.self, Rename.self, Release.self, Usage.self, Configure.self, Address.self]
    )

    struct Common: ParsableArguments {
        @Option(help: "routes.json. Env: SWITCHBOARD_ROUTES.")
        var routes: String?

        @Option(name: .customLong("public-url"), help: "The URL SignalWire calls. Env: SWITCHBOARD_PUBLIC_URL.")
        var publicURL: String?

        func configurator() throws -> (AutoConfigurator, Routes) {
            var flags = ServeConfig.Flags()
            flags.routes = routes
            flags.publicURL = publicURL
            let config = try ServeConfig.resolve(flags, environment: ProcessInfo.processInfo.environment)
            var logger = Logger(label: "switchboard")
            logger.logLevel = .warning
            guard config.publicURL != nil else {
                throw CommandFailure("set --public-url or SWITCHBOARD_PUBLIC_URL: the URL SignalWire should call")
            }
            guard let configurator = AutoConfigurator(config: config, metrics: Metrics(), logger: logger) else {
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
            let (configurator, routes) = try common.configurator()
            let plan: ConfigurationPlan
            do { plan = try configurator.plan(for: routes) } catch {
                writeStandardError("switchboard: \(error)\n")
                throw ExitCode(1)
            }
            print(plan.description)
            guard !dryRun else { return }
            var logger = Logger(label: "switchboard")
            logger.logLevel = .warning
            let report = plan.apply(using: configurator.client, logger: logger)
            print(report.description)
            if !report.succeeded { throw ExitCode(1) }
        }
    }
}
