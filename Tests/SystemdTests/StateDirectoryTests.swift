import Foundation
import Testing
import Systemd

@Suite struct StateDirectoryTests {
    @Test func databaseLivesInTheStateDirectory() {
        #expect(StateDirectory.defaultDatabasePath(environment: ["STATE_DIRECTORY": "/var/lib/switchboard"]) == "/var/lib/switchboard/switchboard.sqlite")
        #expect(StateDirectory.defaultDatabasePath(environment: ["STATE_DIRECTORY": "/var/lib/switchboard/"]) == "/var/lib/switchboard/switchboard.sqlite")
        #expect(StateDirectory.defaultDatabasePath(environment: ["STATE_DIRECTORY": "/var/lib/a:/var/lib/b"]) == "/var/lib/a/switchboard.sqlite")
        #expect(StateDirectory.defaultDatabasePath(environment: ["STATE_DIRECTORY": ""]) == "./switchboard.sqlite")
        #expect(StateDirectory.defaultDatabasePath(environment: [:]) == "./switchboard.sqlite")
    }

    @Test func readsCredentialsWithoutTheTrailingNewline() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("switchboard-credentials-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("PTsecret-token\n".utf8).write(to: directory.appendingPathComponent("signalwire-api-token"))
        try Data("PSK_key\r\n\n".utf8).write(to: directory.appendingPathComponent("signalwire-signing-key"))
        try Data("  spaced  ".utf8).write(to: directory.appendingPathComponent("spaced"))
        try Data("\n".utf8).write(to: directory.appendingPathComponent("empty"))
        let environment = ["CREDENTIALS_DIRECTORY": directory.path]

        #expect(StateDirectory.credential("signalwire-api-token", environment: environment) == "PTsecret-token")
        #expect(StateDirectory.credential("signalwire-signing-key", environment: environment) == "PSK_key")
        #expect(StateDirectory.credential("spaced", environment: environment) == "  spaced  ")
        #expect(StateDirectory.credential("empty", environment: environment) == nil)
        #expect(StateDirectory.credential("missing", environment: environment) == nil)
        #expect(StateDirectory.credential("../signalwire-api-token", environment: environment) == nil)
        #expect(StateDirectory.credential("..", environment: environment) == nil)
        #expect(StateDirectory.credential("signalwire-api-token", environment: [:]) == nil)
    }
}
