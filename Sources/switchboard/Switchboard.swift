import ArgumentParser
import Foundation
import HTTPServer
import Logging
import Switchboard

@main
struct SwitchboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Routes SignalWire calls and texts to ring groups.",
        subcommands: [Serve.self],
        defaultSubcommand: Serve.self
    )
}
