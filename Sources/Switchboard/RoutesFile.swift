import Dispatch
import FoundationEssentials
import Glibc
import Logging
import Routing
import Platform

/// The routes in force, read from routes.json. A reload swaps them atomically between requests;
/// a file that does not validate is refused and the running routes stay.
public final class RoutesFile: @unchecked Sendable {
    public enum ReloadResult: Equatable, Sendable {
        case reloaded
        case unchanged
        case refused(String)
    }

    public let path: String
    private let logger: Logger
    private let lock = Lock()
    private var engine: RoutingEngine
    private var routes: Routes
    private var fingerprint: Fingerprint?
    private var watcher: (any DispatchSourceTimer)?
    private var onChange: [@Sendable (Routes) -> Void] = []

    /// Loads and validates `path`; throws the validation errors when it does not validate.
    public init(path: String, logger: Logger) throws(RoutesFileError) {
        self.path = path
        self.logger = logger
        let (routes, fingerprint) = try Self.load(path)
        self.routes = routes
        self.engine = RoutingEngine(routes: routes)
        self.fingerprint = fingerprint
    }

    /// The engine for the routes in force now. Take it once per request.
    public var current: RoutingEngine { lock.withLock { engine } }
    public var currentRoutes: Routes { lock.withLock { routes } }

    /// Called after every successful reload, with the new routes.
    public func onReload(_ body: @escaping @Sendable (Routes) -> Void) {
        lock.withLock { onChange.append(body) }
    }

    /// Re-reads the file (SIGHUP, or a change seen by the watcher).
    @discardableResult
    public func reload(force: Bool = true) -> ReloadResult {
        let seen = Fingerprint(path)
        if !force, seen == lock.withLock({ fingerprint }) { return .unchanged }
        do {
            let (routes, fingerprint) = try Self.load(path)
            let callbacks = lock.withLock {
                self.routes = routes
                self.engine = RoutingEngine(routes: routes)
                self.fingerprint = fingerprint
                return onChange
            }
            logger.notice("Routes reloaded", metadata: ["path": "\(path)", "summary": "\(routes.summary)"])
            for callback in callbacks { callback(routes) }
            return .reloaded
        } catch {
            // Remember the bad file so the watcher does not log it every second.
            lock.withLock { fingerprint = seen }
            logger.error("Routes refused; the running routes stay", metadata: ["path": "\(path)", "errors": "\(error.description)"])
            return .refused(error.description)
        }
    }

    /// Polls the file once every `interval` seconds and reloads when it changed (editors replace files
    /// by rename, which defeats inode watches; a stat a second costs nothing).
    public func watch(every interval: Double, onResult: @escaping @Sendable (ReloadResult) -> Void = { _ in }) {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "switchboard.routes.watch"))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            let result = self.reload(force: false)
            if result != .unchanged { onResult(result) }
        }
        lock.withLock { watcher = timer }
        timer.resume()
    }

    public func stopWatching() {
        lock.withLock { watcher?.cancel(); watcher = nil }
    }

    static func load(_ path: String) throws(RoutesFileError) -> (Routes, Fingerprint?) {
        let fingerprint = Fingerprint(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RoutesFileError(description: "\(path): cannot read the file")
        }
        switch RoutesLoader.load(Array(data), file: path) {
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

public struct RoutesFileError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
