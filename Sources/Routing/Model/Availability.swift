import FoundationEssentials

/// Who is off duty by their own (or an operator's) say: paused members per pool, as the store holds
/// them (`switchboard members pause`, the admin API, a member's `OFF` text, `max_no_answer`). Read
/// into each request before it is decided, so the engine stays pure.
package struct Availability: Sendable, Equatable {
    /// Pool -> member address -> paused until (nil: until resumed).
    package var paused: [String: [String: Date?]]

    package init(paused: [String: [String: Date?]] = [:]) {
        self.paused = paused
    }

    /// Whether `member` of `pool` is paused at `now` (a pause whose `until` has passed is over).
    package func isPaused(pool: String, member: String, at now: Date) -> Bool {
        guard let members = paused[pool], let entry = members[member] else { return false }
        guard let until = entry else { return true }
        return now < until
    }
}

extension Member {
    /// Whether the member's own `hours` (their shift) include `now`; always without hours.
    package func isOnShift(at now: Date) -> Bool {
        hours?.isOpen(at: now) ?? true
    }
}

extension Pool {
    /// Whether `member` may be offered `request` now: enabled (routes.json wins), able to take the
    /// channel, not paused, and on shift.
    package func isOnDuty(_ member: Member, for request: RouteRequest) -> Bool {
        member.isEligible(for: request.channel) && member.isOnShift(at: request.now)
            && !request.availability.isPaused(pool: name, member: member.address, at: request.now)
    }

    /// Whether anyone could be offered `request`: a pool with nobody on duty behaves as closed.
    package func hasMemberOnDuty(for request: RouteRequest) -> Bool {
        members.contains { isOnDuty($0, for: request) }
    }

    /// Open by its hours (and holidays) and with somebody on duty.
    package func takes(_ request: RouteRequest) -> Bool {
        isOpen(at: request.now) && hasMemberOnDuty(for: request)
    }
}

/// Where a member stands now, for people to read (`members list`, the operator page).
package enum DutyState: String, Sendable, Codable {
    case available
    case paused
    /// Outside the member's own `hours`.
    case offShift = "off_shift"
    /// `"enabled": false` in routes.json.
    case disabled
}

extension Pool {
    package func dutyState(of member: Member, availability: Availability, at now: Date) -> DutyState {
        if !member.enabled { return .disabled }
        if availability.isPaused(pool: name, member: member.address, at: now) { return .paused }
        return member.isOnShift(at: now) ? .available : .offShift
    }
}
