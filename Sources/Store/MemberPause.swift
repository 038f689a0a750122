import FoundationEssentials
import Routing

/// A member off duty in one pool: who paused them, why, and until when (nil: until resumed).
package struct MemberPause: Sendable, Equatable, Codable {
    package enum Source: String, Sendable, Codable, CaseIterable {
        /// `switchboard members pause`.
        case cli
        /// `POST /admin/pools/{pool}/members/{member}/pause` (and the operator page).
        case admin
        /// The member's own `OFF` text.
        case sms
        /// `max_no_answer`: too many offers in a row not answered.
        case auto
    }

    package var pool: String
    package var member: String
    package var by: Source
    package var reason: String?
    package var until: Date?
    package var since: Date

    package init(pool: String, member: String, by: Source, reason: String? = nil, until: Date? = nil, since: Date) {
        self.pool = pool
        self.member = member
        self.by = by
        self.reason = reason
        self.until = until
        self.since = since
    }
}

extension MemberPause {
    /// Pausing, in SQL both stores read alike (`$1`, `$2`, ... in order of appearance): the pause
    /// stored (replacing one in force), and the member's offers not answered counted from zero again.
    var storeStatements: [(sql: String, arguments: [SQLValue])] {
        [("""
          INSERT INTO member_pauses (pool, member, paused_by, reason, until, since) VALUES ($1, $2, $3, $4, $5, $6)
          ON CONFLICT (pool, member) DO UPDATE SET paused_by = excluded.paused_by, reason = excluded.reason,
              until = excluded.until, since = excluded.since
          """, [.text(pool), .text(member), .text(by.rawValue), SQLValue(reason), until.map { SQLValue($0) } ?? .null, SQLValue(since)]),
         Self.resetMisses(pool: pool, member: member)]
    }

    /// Resuming, in SQL both stores read alike: the count started again, then the pause deleted (the
    /// last statement's change count says whether one was in force).
    static func resumeStatements(pool: String, member: String) -> [(sql: String, arguments: [SQLValue])] {
        [resetMisses(pool: pool, member: member),
         ("DELETE FROM member_pauses WHERE pool = $1 AND member = $2", [.text(pool), .text(member)])]
    }

    static func resetMisses(pool: String, member: String) -> (sql: String, arguments: [SQLValue]) {
        ("DELETE FROM member_misses WHERE pool = $1 AND member = $2", [.text(pool), .text(member)])
    }
}

extension Availability {
    /// The pauses the store holds, as the engine reads them.
    package init(_ pauses: [MemberPause]) {
        var paused: [String: [String: Date?]] = [:]
        for pause in pauses { paused[pause.pool, default: [:]][pause.member] = .some(pause.until) }
        self.init(paused: paused)
    }
}
