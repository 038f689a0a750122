import FoundationEssentials
import Logging
import Platform
import Routing
import Store
import Synchronization

/// Who is off duty, as the store holds it, kept in memory for the request path: every decision reads
/// `availability` (no SQL on the way to an answer). Refreshed from the store every second, so a pause
/// written by another process (`switchboard members pause`, another instance) holds within a second,
/// and at once after a change made here.
package final class DutyRoster: Sendable {
    let store: any SwitchboardStore
    let logger: Logger
    private let state = Mutex((pauses: [MemberPause](), availability: Availability()))
    private let timer = RepeatingTimer(label: "switchboard.duty")

    package init(store: any SwitchboardStore, logger: Logger) {
        self.store = store
        self.logger = logger
        refresh()
    }

    package var availability: Availability { state.withLock { $0.availability } }
    package var pauses: [MemberPause] { state.withLock { $0.pauses } }

    /// Reads the pauses again; a store that does not answer keeps the last ones known.
    package func refresh() {
        guard let pauses = try? store.memberPauses() else { return }
        let availability = Availability(pauses)
        state.withLock { $0 = (pauses, availability) }
    }

    package func pause(_ pause: MemberPause) throws {
        try store.pauseMember(pause)
        refresh()
        logger.notice("Member paused", metadata: [
            "pool": "\(pause.pool)", "member": "\(Redact.member(pause.member))", "by": "\(pause.by.rawValue)",
            "reason": "\(pause.reason ?? "")", "until": "\(pause.until.map { $0.formatted(.iso8601) } ?? "resumed")",
        ])
    }

    @discardableResult
    package func resume(pool: String, member: String) throws -> Bool {
        let was = try store.resumeMember(pool: pool, member: member)
        refresh()
        logger.notice("Member resumed", metadata: ["pool": "\(pool)", "member": "\(Redact.member(member))"])
        return was
    }

    func start() { timer.start(every: 1, leeway: .milliseconds(200)) { [self] in refresh() } }
    func stop() { timer.stop() }
}
