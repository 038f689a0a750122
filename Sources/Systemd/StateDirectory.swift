import FoundationEssentials

/// Where systemd puts the daemon's state and secrets: `StateDirectory=` (`$STATE_DIRECTORY`) and
/// `LoadCredential=` / `SetCredential=` (`$CREDENTIALS_DIRECTORY`).
package enum StateDirectory {
    /// The database file name inside the state directory.
    package static let databaseFileName = "switchboard.sqlite"

    /// `$STATE_DIRECTORY/switchboard.sqlite` (the first directory when systemd lists several, separated by
    /// colons), else `./switchboard.sqlite`.
    package static func defaultDatabasePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let first = (environment["STATE_DIRECTORY"] ?? "")
            .split(separator: ":", omittingEmptySubsequences: true)
            .first
        guard let first else { return "./" + databaseFileName }
        var directory = String(first)
        while directory.count > 1, directory.hasSuffix("/") { directory.removeLast() }
        return directory == "/" ? "/" + databaseFileName : directory + "/" + databaseFileName
    }

    /// The credential `name` from `$CREDENTIALS_DIRECTORY/<name>`, without trailing line breaks. Nil when
    /// the variable is unset, the name is not a plain file name, the file is missing or unreadable, or it is
    /// empty (the unit's `SetCredential=name:` default for "not configured").
    package static func credential(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty,
              !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.contains("\0"),
              let data = FileManager.default.contents(atPath: directory + "/" + name)
        else { return nil }
        var text = String(decoding: data, as: UTF8.self)
        while let last = text.unicodeScalars.last, last == "\n" || last == "\r" {
            text.unicodeScalars.removeLast()
        }
        return text.isEmpty ? nil : text
    }
}
