import ArgumentParser
import FoundationEssentials
import Routing
import Switchboard

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate routes.json: exit 0 and a summary, or exit 1 and every problem."
    )

    @Option(help: "routes.json to check. Env: SWITCHBOARD_ROUTES. Default: ./routes.json.")
    var routes: String?

    func run() throws {
        let path = routes ?? ProcessInfo.processInfo.environment["SWITCHBOARD_ROUTES"] ?? "./routes.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            writeStandardError("\(path): cannot read the file\n")
            throw ExitCode(1)
        }
        switch RoutesLoader.load(Array(data), file: path, zones: TZDatabase()) {
        case .success(let loaded):
            print(loaded.summary(file: path))
        case .failure(let error):
            writeStandardError("\(error)\n")
            throw ExitCode(1)
        }
    }
}
