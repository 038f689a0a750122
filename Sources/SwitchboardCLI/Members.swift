import ArgumentParser
import FoundationEssentials
import Logging
import Routing
import Store
import Switchboard

struct Members: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Who is on duty: list the pools' members, pause one, resume one.",
        discussion: "A paused member is never rung or texted. The daemon reads pauses from the database, so a change here "
            + "holds within a second, and after restarts. routes.json's \"enabled\": false still wins.",
        subcommands: [List.self, Pause.self, Resume.self]
    )

    struct Common: ParsableArguments {
        @OptionGroup var options: ConfigOptions

        /// The routes and the database (created when missing: a pause may come before the first call).
        func open() throws -> (Routes, any SwitchboardStore) {
            let config = try options.resolve()
            var logger = Logger(label: "switchboard")
            logger.logLevel = .critical
            let routes: Routes
            do { routes = try RoutesFile(path: config.routesPath, logger: logger).currentRoutes } catch { throw CommandFailure("\(error)") }
            return (routes, try StoreLocation(config.databasePath).open())
        }

        /// `pool` and `member` as routes.json has them (a member by number, SIP URI or name).
        func member(_ member: String, of pool: String, in routes: Routes) throws -> Member {
            guard let found = routes.pools[pool] else {
                throw CommandFailure("no pool \"\(pool)\" in routes.json (pools: \(routes.pools.keys.sorted().joined(separator: ", ")))")
            }
            guard let match = found.members.first(where: { Address.identity($0.address) == Address.identity(member) || $0.name == member }) else {
                throw CommandFailure("\"\(member)\" is not a member of \(pool) (members: \(found.members.map { $0.name ?? $0.address }.joined(separator: ", ")))")
            }
            return match
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every pool's members and whether each is on duty.")
        @OptionGroup var common: Common
        @Flag(help: "JSON instead of a table.")
        var json = false

        struct Row: Encodable {
            var pool: String, member: String, name: String?, state: String
            var by: String?, reason: String?, until: Date?, since: Date?
        }

        func run() throws {
            let (routes, store) = try common.open()
            defer { store.close() }
            let now = Date()
            let pauses = try store.memberPauses()
            let availability = Availability(pauses)
            var rows: [Row] = []
            for name in routes.pools.keys.sorted() {
                for member in routes.pools[name]!.members {
                    let pause = pauses.first { $0.pool == name && $0.member == member.address }
                    let state = routes.pools[name]!.dutyState(of: member, availability: availability, at: now).rawValue
                    let paused = state == DutyState.paused.rawValue
                    rows.append(Row(pool: name, member: member.address, name: member.name, state: state, by: paused ? pause?.by.rawValue : nil,
                                    reason: paused ? pause?.reason : nil, until: paused ? pause?.until : nil, since: paused ? pause?.since : nil))
                }
            }
            if json { return try printJSON(["members": rows]) }
            var table = [["POOL", "MEMBER", "NAME", "STATE", "BY", "UNTIL", "REASON"]]
            for row in rows {
                table.append([row.pool, row.member, row.name ?? "", row.state, row.by ?? "",
                              row.state == "paused" ? row.until.map { $0.formatted(.iso8601) } ?? "resumed" : "", row.reason ?? ""])
            }
            print(TextTable.render(table))
        }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a member off duty in a pool (until a time, or until resumed).")
        @Argument(help: "The pool.") var pool: String
        @Argument(help: "The member: number, sip: URI or name.") var member: String
        @Option(help: "Until when: an ISO 8601 time (2026-12-06T18:00:00Z) or a duration from now (30m, 8h, 2d).")
        var until: String?
        @Option(help: "Why (shown in `members list` and on the operator page).") var reason: String?
        @OptionGroup var common: Common

        func run() throws {
            let (routes, store) = try common.open()
            defer { store.close() }
            let found = try common.member(member, of: pool, in: routes)
            let now = Date()
            var end: Date?
            if let until {
                if let seconds = Stats.parseDuration(until) {
                    end = now.addingTimeInterval(seconds)
                } else if let date = try? Date(until, strategy: .iso8601) {
                    end = date
                } else {
                    throw ValidationError("--until \(until): expected an ISO 8601 time or a duration such as 30m, 8h or 2d")
                }
                guard end! > now else { throw ValidationError("--until \(until) is in the past") }
            }
            try store.pauseMember(MemberPause(pool: pool, member: found.address, by: .cli, reason: reason, until: end, since: now))
            print("Paused \(found.name.map { "\($0) (\(found.address))" } ?? found.address) in \(pool)"
                  + (end.map { " until \($0.formatted(.iso8601))" } ?? " until resumed") + ".")
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a member back on duty in a pool.")
        @Argument(help: "The pool.") var pool: String
        @Argument(help: "The member: number, sip: URI or name.") var member: String
        @OptionGroup var common: Common

        func run() throws {
            let (routes, store) = try common.open()
            defer { store.close() }
            let found = try common.member(member, of: pool, in: routes)
            let was = try store.resumeMember(pool: pool, member: found.address)
            print(was ? "Resumed \(found.address) in \(pool)." : "\(found.address) was not paused in \(pool).")
        }
    }
}
