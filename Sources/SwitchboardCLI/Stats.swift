import ArgumentParser
import FoundationEssentials
import Routing
import Store
import Switchboard

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Calls and messages per number, pool and member, from the database.")

    @Option(help: "How far back: 30m, 24h, 7d.")
    var since: String = "24h"

    @Option(help: "SQLite database file or postgresql:// URL. Env: SWITCHBOARD_DB.")
    var db: String?

    func run() throws {
        guard let seconds = Self.parseDuration(since) else {
            throw ValidationError("--since \(since): expected a duration such as 30m, 24h or 7d")
        }
        let store = try openForReading(db: db)
        defer { store.close() }
        let from = Date().addingTimeInterval(-seconds)
        let rows = try store.stats(since: from)
        print(Self.table(rows, since: since))
        print(Self.outcomeTable(CallStatsRow.aggregate(try store.calls(since: from, outcome: nil, pool: nil, limit: 1_000_000))))
        let counts = try store.notificationCounts()
        if !counts.isEmpty { print(Self.notificationTable(counts)) }
        // A database the daemon has not migrated yet has no opt-outs table: nothing to list.
        if let optOuts = try? store.optOuts() { print(Self.optOutTable(optOuts)) }
    }

    /// Per pool (member "total") and member: calls offered and how they ended.
    static func outcomeTable(_ rows: [CallStatsRow]) -> String {
        guard !rows.isEmpty else { return "\nNo call outcomes yet (they need the daemon's --public-url for SignalWire's callbacks)." }
        var lines = [["POOL", "MEMBER", "OFFERED", "ANSWERED", "MISSED", "VOICEMAILS", "ANSWER RATE"]]
        for row in rows {
            lines.append([row.pool, row.member.isEmpty ? "total" : row.member, "\(row.offered)", "\(row.answered)", "\(row.missed)",
                          "\(row.voicemails)", row.answerRate.map { "\(Int(($0 * 100).rounded()))%" } ?? "-"])
        }
        return "\n" + TextTable.render(lines)
    }

    static func notificationTable(_ counts: [NotificationCounts]) -> String {
        var lines = [["NOTIFICATIONS", "SENT", "PENDING", "FAILED"]]
        for count in counts { lines.append([count.channel, "\(count.sent)", "\(count.pending)", "\(count.failed)"]) }
        return "\n" + TextTable.render(lines)
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
