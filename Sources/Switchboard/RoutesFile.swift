import Dispatch
import FoundationEssentials
import Glibc
import Logging
import Routing
import Platform
import Synchronization

/// The routes in force, read from routes.json. A reload swaps them atomically between requests;
/// a file that does not validate is refused and the running routes stay.
package final class RoutesFile: Sendable {
    package enum ReloadResult: Equatable, Sendable {
        case reloaded
        case unchanged
        case refused(String)
    }

    package let path: String
    /// Where `hours.timezone` names are looked up: the tz database, unless a test gives another.
    private let zones: any ZoneSource
    private let logger: Logger
    private struct State {
        var engine: RoutingEngine
        var routes: Routes
        var fingerprint: Fingerprint?
        /// When the routes in force were loaded, and the last refusal since (nil: none).
        var loaded = Date()
        var lastError: String?
        var onChange: [@Sendable (Routes) -> Void] = []
    }
    private let state: Mutex<State>
    private let watcher = RepeatingTimer(label: "switchboard.routes.watch")

    /// Loads and validates `path`; throws the validation errors when it does not validate.
    package init(path: String, logger: Logger, zones: any ZoneSource = TZDatabase()) throws(RoutesFileError) {
        self.path = path
        self.logger = logger
        self.zones = zones
        let (routes, fingerprint) = try Self.load(path, zones: zones)
        state = Mutex(State(engine: RoutingEngine(routes: routes), routes: routes, fingerprint: fingerprint))
    }

    /// The engine for the routes in force now. Take it once per request.
    package var current: RoutingEngine { state.withLock { $0.engine } }
    package var currentRoutes: Routes { state.withLock { $0.routes } }
    /// When the routes in force were loaded, and why the file was refused since, if it was.
    package var loadState: (loaded: Date, lastError: String?) { state.withLock { ($0.loaded, $0.lastError) } }

    /// Called after every successful reload, with the new routes.
    package func onReload(_ body: @escaping @Sendable (Routes) -> Void) {
        state.withLock { $0.onChange.append(body) }
    }

    /// Re-reads the file (SIGHUP, or a change seen by the watcher).
    @discardableResult
    package func reload(force: Bool = true) -> ReloadResult {
        let seen = Fingerprint(path)
        if !force, seen == state.withLock({ $0.fingerprint }) { return .unchanged }
        do {
            let (routes, fingerprint) = try Self.load(path, zones: zones)
            let callbacks = state.withLock { state in
                state.routes = routes
                state.engine = RoutingEngine(routes: routes)
                state.fingerprint = fingerprint
                state.loaded = Date()
                state.lastError = nil
                return state.onChange
            }
            logger.notice("Routes reloaded", metadata: ["path": "\(path)", "summary": "\(routes.summary)"])
            for callback in callbacks { callback(routes) }
            return .reloaded
        } catch {
            // Remember the bad file so the watcher does not log it every second.
            state.withLock {
                $0.fingerprint = seen
                $0.lastError = error.description
            }
            logger.error("Routes refused; the running routes stay", metadata: ["path": "\(path)", "errors": "\(error.description)"])
            return .refused(error.description)
        }
    }

    /// Polls the file once every `interval` seconds and reloads when it changed (editors replace files
    /// by rename, which defeats inode watches; a stat a second costs nothing).
    package func watch(every interval: Double, onResult: @escaping @Sendable (ReloadResult) -> Void = { _ in }) {
        watcher.start(every: interval) { [weak self] in
            guard let self else { return }
            let result = self.reload(force: false)
            if result != .unchanged { onResult(result) }
        }
    }

    package func stopWatching() {
        watcher.stop()
    }

    static func load(_ path: String, zones: any ZoneSource) throws(RoutesFileError) -> (Routes, Fingerprint?) {
        let fingerprint = Fingerprint(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RoutesFileError(description: "\(path): cannot read the file")
        }
        switch RoutesLoader.load(Array(data), file: path, zones: zones) {
        case .success(let routes): return (routes, fingerprint)
        case .failure(let error): throw RoutesFileError(description: error.description)
        }
    }

    /// What changes when the file is edited or replaced.
    struct Fingerprint: Equatable {
        var inode: UInt64
        var size: Int64
        var modified: Double

        init?(_ path: String) {
            var s = stat()
            guard stat(path, &s) == 0 else { return nil }
            inode = UInt64(s.st_ino)
            size = Int64(s.st_size)
            modified = Double(s.st_mtim.tv_sec) + Double(s.st_mtim.tv_nsec) / 1e9
        }
    }
}

package struct RoutesFileError: Error, CustomStringConvertible, Sendable {
    package var description: String
}
