import Platform

/// The order in which call and message statuses progress, so that late, repeated and out-of-order
/// callbacks never move a call or message backwards. Pure: no I/O.
///
/// Calls: `queued` = `initiated` = `created` < `ringing` < `in-progress` = `answered` < `ending` <
/// terminal (`completed`, `busy`, `failed`, `no-answer`, `canceled`, `ended`).
/// Messages: `queued` = `accepted` < `sending` < `sent` < terminal (`delivered`, `undelivered`,
/// `failed`), and `receiving` < `received` (terminal).
package enum StatusProgress {
    /// The rank of every terminal status: higher than any other, equal among themselves.
    package static let terminalRank = 100

    /// The status's place in its progression, or nil for a status Switchboard does not know.
    /// Case and `_`/`-` are ignored (`IN_PROGRESS` is `in-progress`).
    package static func rank(kind: StatusKind, status: String) -> Int? {
        // Platform's replacement: the standard library's generic `replacing` cost 9k instructions here.
        let key = status.lowercased().replacingAll("_", with: "-")
        switch kind {
        case .call: return callRanks[key]
        case .message: return messageRanks[key]
        }
    }

    /// Whether `status` is final: nothing moves the current status away from it.
    package static func isTerminal(kind: StatusKind, status: String) -> Bool {
        rank(kind: kind, status: status) == terminalRank
    }

    /// Whether a new status of rank `new` replaces a current one of rank `current` (nil: none yet).
    /// Only strictly forward moves count, so a terminal status is never left, not even for another
    /// terminal status, and an unknown status never moves the current one.
    package static func advances(from current: Int?, to new: Int?) -> Bool {
        guard let new else { return false }
        guard let current else { return true }
        return new > current
    }

    private static let callRanks: [String: Int] = [
        "queued": 1, "initiated": 1, "created": 1,
        "ringing": 2,
        "in-progress": 3, "answered": 3,
        "ending": 4,
        "completed": terminalRank, "busy": terminalRank, "failed": terminalRank,
        "no-answer": terminalRank, "canceled": terminalRank, "ended": terminalRank,
    ]

    private static let messageRanks: [String: Int] = [
        "queued": 1, "accepted": 1,
        "sending": 2,
        "sent": 3,
        "delivered": terminalRank, "undelivered": terminalRank, "failed": terminalRank,
        "receiving": 1,
        "received": terminalRank,
    ]
}
