import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Turns POSIX signals into closures on a queue (`DispatchSource.makeSignalSource`). Installed before
/// the socket listens, so a SIGTERM that arrives early is never lost to the default action.
package final class SignalWatcher: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "switchboard.signals")

    package init() {}

    package func on(_ signalNumber: Int32, _ handler: @escaping @Sendable () -> Void) {
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
        source.setEventHandler(handler: handler)
        source.resume()
        sources.append(source)
    }

    package func cancelAll() {
        for source in sources { source.cancel() }
        sources.removeAll()
    }
}
