import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Turns POSIX signals into closures on a queue (`DispatchSource.makeSignalSource`). Installed before
/// the socket listens, so a SIGTERM that arrives early is never lost to the default action.
package final class SignalWatcher: Sendable {
    private let sources = Mutex<[any DispatchSourceSignal]>([])
    private let queue = DispatchQueue(label: "switchboard.signals")

    package init() {}

    package func on(_ signalNumber: Int32, _ handler: @escaping @Sendable () -> Void) {
        signal(signalNumber, SIG_IGN)
        sources.withLock { [queue] sources in
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler(handler: handler)
            source.resume()
            sources.append(source)
        }
    }

    package func cancelAll() {
        let all = sources.withLock { sources in
            defer { sources.removeAll() }
            return sources
        }
        for source in all { source.cancel() }
    }
}
