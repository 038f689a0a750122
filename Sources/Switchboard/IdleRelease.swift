import Dispatch
import Logging
import Platform
import Synchronization

/// Keeps the daemon's code small in memory while it has nothing to do. Start-up runs code that
/// serving never runs again (argument parsing, routes decoding, the schema), and a burst of calls
/// brings in the pages of every path it took; the kernel maps code 64 KiB around each page used, so
/// both stay resident long after. The daemon drops its code pages once at start, and again after a
/// quiet interval that followed some traffic. Code still in use comes back from the page cache at its
/// next use, one minor fault per 64 KiB (see `releaseResidentCode`). (The heap is not trimmed:
/// `malloc_trim` after a load run gave back 48 KiB of 5.9 MiB: the rest is in use, SQLite's page cache
/// among it, up to 2 MiB a connection.)
final class IdleRelease: Sendable {
    /// A count from any thread: the webhooks received so far, the traffic that counts (health checks
    /// and metrics scrapes do not, so that a scrape every few seconds does not keep a burst's pages
    /// resident for good); and the releases made.
    final class Activity: Sendable {
        private let count = Atomic<UInt64>(0)

        func record() { count.wrappingAdd(1, ordering: .relaxed) }

        var total: UInt64 { count.load(ordering: .relaxed) }
    }

    /// When to release: after an interval with no webhook that followed one with some. Pure.
    struct Schedule {
        private var lastSeen: UInt64 = 0
        private var busySinceRelease = false

        /// Called once per interval with the count of webhooks received so far.
        mutating func shouldRelease(seen: UInt64) -> Bool {
            defer { lastSeen = seen }
            if seen != lastSeen {
                busySinceRelease = true
                return false
            }
            guard busySinceRelease else { return false }
            busySinceRelease = false
            return true
        }
    }

    private let timer = RepeatingTimer(label: "switchboard.idle-release")
    private let releases = Activity()

    /// How many times the code pages were released after start (for tests).
    var count: UInt64 { releases.total }

    /// Releases now, then checks `activity` every `interval` seconds.
    init(interval: Double, activity: Activity, logger: Logger) {
        releaseResidentCode()
        // Only ever touched on the timer's queue, one call at a time.
        nonisolated(unsafe) var schedule = Schedule()
        timer.start(every: interval, leeway: .seconds(1)) { [releases] in
            guard schedule.shouldRelease(seen: activity.total) else { return }
            let bytes = releaseResidentCode()
            releases.record()
            logger.debug("Released idle code pages", metadata: ["mapped_kib": "\(bytes / 1024)"])
        }
    }

    func cancel() {
        timer.stop()
    }
}
