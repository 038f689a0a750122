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

extension Availability {
    /// The pauses the store holds, as the engine reads them.
    package init(_ pauses: [MemberPause]) {
        var paused: [String: [String: Date?]] = [:]
        for pause in pauses { paused[pause.pool, default: [:]][pause.member] = .some(pause.until) }
        self.init(paused: paused)
    }
}
