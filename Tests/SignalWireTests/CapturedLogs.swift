import InMemoryLogging
import Logging

/// swift-log's in-memory handler, at trace level, for assertions on what was logged.
enum CapturedLogs {
    /// A logger writing into a fresh handler's store.
    static func logger() -> (Logger, InMemoryLogHandler) {
        var handler = InMemoryLogHandler()
        handler.logLevel = .trace
        return (Logger(label: "test") { _ in handler }, handler)
    }
}

extension InMemoryLogHandler {
    /// Every entry as `level message key=value ...`, keys sorted.
    var all: [String] {
        entries.map { entry in
            let fields = entry.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return "\(entry.level) \(entry.message) \(fields)"
        }
    }
}
