import FoundationEssentials
import Logging
import Platform
import Routing
import Store
import Synchronization

/// Who is off duty, and where pauses and resumptions go (the store, and a log line).
///
/// The daemon's roster is kept in memory for the request path: every decision reads `availability`
/// (no SQL on the way to an answer). Refreshed from the store every second once started, so a pause
/// written by another process (`switchboard members pause`, another instance) holds within a
/// second, and at once after a change made here. A roster `readingThrough` (a command, a test) asks
/// the store at every read instead; when the store fails, nobody is paused.
package final class DutyRoster: Sendable {
    let store: any SwitchboardStore
    let logger: Logger
    let readingThrough: Bool
    private let state = Mutex((pauses: [MemberPause](), availability: Availability()))
    private let timer = RepeatingTimer(label: "switchboard.duty")

    package init(store: any SwitchboardStore, logger: Logger, readingThrough: Bool = false) {
        self.store = store
        self.logger = logger
        self.readingThrough = readingThrough
        if !readingThrough { refresh() }
    }

    package var availability: Availability {
        readingThrough ? Availability(storedPauses()) : state.withLock { $0.availability }
    }

    package var pauses: [MemberPause] {
        readingThrough ? storedPauses() : state.withLock { $0.pauses }
    }

    private func storedPauses() -> [MemberPause] { (try? store.memberPauses()) ?? [] }

    /// Reads the pauses again; a store that does not answer keeps the last ones known.
    package func refresh() {
        guard !readingThrough, let pauses = try? store.memberPauses() else { return }
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
