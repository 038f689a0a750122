import ArgumentParser
import Switchboard

@main
struct SwitchboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Routes SignalWire calls and texts to ring groups.",
        version: SwitchboardVersion.current,
        subcommands: [Serve.self, Check.self, Route.self, Doctor.self, Numbers.self, Members.self, Stats.self, Calls.self, Voicemails.self,
                      Healthcheck.self]
    )
}
