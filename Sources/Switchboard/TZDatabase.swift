import FoundationEssentials
import Glibc
import Routing

/// The system's compiled tz database (`$TZDIR`, else `/usr/share/zoneinfo`): the time zones the
/// daemon and the CLI hand to the routes loader. A zone is one file read when routes.json names it;
/// the names for a hint come from the database's index (`tzdata.zi`), not from opening every file.
package struct TZDatabase: ZoneSource {
    package let directory: String

    package init(directory: String = TZDatabase.systemDirectory) {
        self.directory = directory
    }

    package static var systemDirectory: String {
        ProcessInfo.processInfo.environment["TZDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/share/zoneinfo"
    }

    /// The zone called `identifier`; nil when the name is not a zone here. `UTC` (and `Etc/UTC`,
    /// `GMT`, `Etc/GMT`) stand even without a tz database.
    package func zone(named identifier: String) -> ZoneRules? {
        guard ZoneRules.isPlausibleName(identifier) else { return nil }
        if let data = FileManager.default.contents(atPath: directory + "/" + identifier),
           let rules = ZoneRules(identifier: identifier, tzif: Array(data)) {
            return rules
        }
        return ["UTC", "Etc/UTC", "GMT", "Etc/GMT"].contains(identifier) ? .fixed(identifier, secondsEast: 0) : nil
    }

    /// Zone and link names from `tzdata.zi` (`Z NAME ...` and `L TARGET NAME` lines). Without it,
    /// the directory's names that look like zones, still without opening them.
    package var identifiers: [String] {
        if let data = FileManager.default.contents(atPath: directory + "/tzdata.zi") {
            var names: [String] = []
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                if fields.count >= 2, fields[0] == "Z" { names.append(String(fields[1])) }
                if fields.count >= 3, fields[0] == "L" { names.append(String(fields[2])) }
            }
            return names.sorted()
        }
        guard let paths = try? FileManager.default.subpathsOfDirectory(atPath: directory) else { return [] }
        return paths.filter { path in
            ZoneRules.isPlausibleName(path) && !path.hasPrefix("posix/") && !path.hasPrefix("right/")
                && path.first?.isUppercase == true && !path.contains(".") && !isDirectory(directory + "/" + path)
        }.sorted()
    }

    private func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
