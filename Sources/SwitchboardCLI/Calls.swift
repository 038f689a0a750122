import ArgumentParser
import FoundationEssentials
import Store
import Switchboard

/// Opens the database read-only for a listing command (`calls`, `voicemails`, `stats`).
func openForReading(db: String?) throws -> any SwitchboardStore {
    var flags = ServeConfig.Flags()
    flags.db = db
    let location = StoreLocation(try ServeConfig.resolve(flags, environment: ProcessInfo.processInfo.environment).databasePath)
    guard location.exists else {
        throw CommandFailure("\(location.display): no database yet (start the daemon, or pass --db)")
    }
    return try location.open(readOnly: true)
}

/// `--since 24h` as the time it names.
func sinceDate(_ text: String) throws -> Date {
    guard let seconds = Stats.parseDuration(text) else {
        throw ValidationError("--since \(text): expected a duration such as 30m, 24h or 7d")
    }
    return Date().addingTimeInterval(-seconds)
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// What `calls` and `voicemails` share.
struct ListingOptions: ParsableArguments {
    @Option(help: "Only this pool's.")
    var pool: String?

    @Option(help: "At most this many (newest first).")
    var limit: Int = 100

    @Flag(help: "JSON instead of a table.")
    var json = false

    @Option(help: "SQLite database file or postgresql:// URL. Env: SWITCHBOARD_DB.")
    var db: String?
}

struct Calls: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Calls and how they ended: answered (by whom), voicemail, missed, closed or unrouted.",
        discussion: "Outcomes come from SignalWire's call-state callbacks, so they need --public-url on the daemon. "
            + "A call still ringing, or waiting for a message, shows as pending.")

    @Option(help: "How far back: 30m, 24h, 7d.")
    var since: String = "24h"

    @Option(help: "Only calls with this outcome: answered, voicemail, missed, closed, unrouted.")
    var outcome: String?

    @OptionGroup var listing: ListingOptions

    func run() throws {
        let kind = try outcome.map { text throws -> CallOutcomeKind in
            guard let kind = CallOutcomeKind(rawValue: text) else {
                throw ValidationError("--outcome \(text): expected one of \(CallOutcomeKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return kind
        }
        let from = try sinceDate(since)
        let store = try openForReading(db: listing.db)
        defer { store.close() }
        let calls = try store.calls(since: from, outcome: kind, pool: listing.pool, limit: max(1, listing.limit))
        if listing.json { return try printJSON(["calls": calls]) }
        print(Self.table(calls, since: since))
    }

    static func table(_ calls: [CallOutcome], since: String) -> String {
        guard !calls.isEmpty else { return "No calls in the last \(since)." }
        var lines = [["TIME", "CALLER", "NUMBER", "POOL", "OUTCOME", "BY", "TALK", "RANG"]]
        for call in calls {
            lines.append([
                call.time.formatted(.iso8601), call.caller, call.number, call.pool, call.outcome?.rawValue ?? "pending",
                call.member ?? "", call.talkSeconds.map { "\($0)s" } ?? "", call.rung.joined(separator: " "),
            ])
        }
        return TextTable.render(lines) + "\n\(calls.count) calls"
    }
}

struct Voicemails: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Voicemails left, newest first, with their recording URLs.")

    @Option(help: "How far back: 30m, 24h, 7d.")
    var since: String = "7d"

    @OptionGroup var listing: ListingOptions

    func run() throws {
        let from = try sinceDate(since)
        let store = try openForReading(db: listing.db)
        defer { store.close() }
        let entries = try store.voicemails(since: from, pool: listing.pool, limit: max(1, listing.limit))
        if listing.json { return try printJSON(["voicemails": entries]) }
        guard !entries.isEmpty else { return print("No voicemails in the last \(since).") }
        var lines = [["TIME", "CALLER", "NUMBER", "POOL", "LENGTH", "RECORDING"]]
        for entry in entries {
            lines.append([entry.time.formatted(.iso8601), entry.caller, entry.number, entry.pool,
                          entry.seconds.map { "\($0)s" } ?? "", entry.recordingURL])
        }
        print(TextTable.render(lines) + "\n\(entries.count) voicemails")
    }
}
