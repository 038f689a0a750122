import ArgumentParser
import FoundationEssentials
import Routing
import Store
import Switchboard

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Calls and messages per number, pool and member, from the database.")

    @Option(help: "How far back: 30m, 24h, 7d.")
    var since: String = "24h"

    @Option(help: "SQLite database. Env: SWITCHBOARD_DB.")
    var db: String?

    func run() throws {
        guard let seconds = Self.parseDuration(since) else {
            throw ValidationError("--since \(since): expected a duration such as 30m, 24h or 7d")
        }
        var flags = ServeConfig.Flags()
        flags.db = db
        let config = try ServeConfig.resolve(flags, environment: ProcessInfo.processInfo.environment)
        guard FileManager.default.fileExists(atPath: config.databasePath) else {
            throw ValidationError("\(config.databasePath): no database yet")
        }
        let store = try SQLiteStore(path: config.databasePath, readOnly: true)
        defer { store.close() }
        let rows = try store.stats(since: Date().addingTimeInterval(-seconds))
        print(Self.table(rows, since: since))
        // A database the daemon has not migrated yet has no opt-outs table: nothing to list.
        if let optOuts = try? store.optOuts() { print(Self.optOutTable(optOuts)) }
    }

    /// Every customer opted out now (whenever they texted STOP: opt-outs do not expire).
    static func optOutTable(_ optOuts: [OptOut]) -> String {
        guard !optOuts.isEmpty else { return "\nNo customer has opted out of texts." }
        var lines = [["OPTED OUT", "NUMBER", "KEYWORD", "SINCE"]]
        for optOut in optOuts {
            lines.append([optOut.customer, optOut.poolNumber, optOut.keyword, optOut.time.formatted(.iso8601)])
        }
        return "\n" + TextTable.render(lines) + "\n\(optOuts.count) opted out"
    }

    static func table(_ rows: [StatsRow], since: String) -> String {
        guard !rows.isEmpty else { return "No calls or messages in the last \(since)." }
        var lines = [["CHANNEL", "NUMBER", "POOL", "MEMBER", "COUNT"]]
        for row in rows {
            lines.append([row.channel == .voice ? "calls" : "messages", row.number, row.pool, row.member, "\(row.count)"])
        }
        for channel in [Channel.voice, .sms] {
            let total = rows.filter { $0.channel == channel }.reduce(0) { $0 + $1.count }
            lines.append([channel == .voice ? "calls" : "messages", "total", "", "", "\(total)"])
        }
        return TextTable.render(lines)
    }

    /// `90s`, `30m`, `24h`, `7d` in seconds.
    static func parseDuration(_ text: String) -> Double? {
        guard let unit = text.last, let value = Double(text.dropLast()), value > 0 else { return nil }
        switch unit {
        case "s": return value
        case "m": return value * 60
        case "h": return value * 3600
        case "d": return value * 86400
        default: return nil
        }
    }
}

enum TextTable {
    /// Left-aligned columns separated by two spaces.
    static func render(_ rows: [[String]]) -> String {
        let widths = rows.reduce(into: [Int]()) { widths, row in
            for (i, cell) in row.enumerated() {
                if i < widths.count { widths[i] = max(widths[i], cell.count) } else { widths.append(cell.count) }
            }
        }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
