import FoundationEssentials
import Platform

/// A few read-only connections, opened on demand, so reads never wait behind the write lock.
/// In WAL mode each reader sees the last committed state while a write is in progress.
final class ReaderPool: @unchecked Sendable {
    // `@unchecked Sendable`, and safe: `idle`, `open` and `closed` are touched only while `condition`
    // (a condition variable: a checkout waits on it, which `Mutex` does not offer) is locked, and a
    // connection belongs to exactly one thread between `checkOut` and `checkIn`.
    private let condition = Condition()
    private var idle: [SQLiteConnection] = []
    private var open = 0
    private var closed = false
    /// Moved on by `reset()`: a connection opened before it is closed when it comes back.
    private var generation = 0
    private var generations: [ObjectIdentifier: Int] = [:]
    private let path: String
    private let limit: Int

    init(path: String, limit: Int) {
        self.path = path
        self.limit = max(1, limit)
    }

    /// Runs `body` with a connection of its own.
    func withConnection<T>(_ operation: String, _ body: (SQLiteConnection) throws -> T) throws -> T {
        let connection = try checkOut(operation)
        defer { checkIn(connection) }
        return try body(connection)
    }

    /// Closes idle connections now and busy ones as they come back; later checkouts throw.
    func close() {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        for connection in idle { connection.close() }
        open -= idle.count
        idle.removeAll()
        condition.broadcast()
    }

    /// Closes idle connections now and busy ones as they come back, and opens new ones from then
    /// on: after the store reopened its database (the file replaced or deleted).
    func reset() {
        condition.lock()
        defer { condition.unlock() }
        generation += 1
        for connection in idle {
            generations[ObjectIdentifier(connection)] = nil
            connection.close()
        }
        open -= idle.count
        idle.removeAll()
        condition.broadcast()
    }

    private func checkOut(_ operation: String) throws -> SQLiteConnection {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if closed { throw StoreError.closed(operation, path: path) }
            if let connection = idle.popLast() { return connection }
            if open < limit {
                let connection = try SQLiteConnection(path: path, readOnly: true)
                generations[ObjectIdentifier(connection)] = generation
                open += 1
                return connection
            }
            condition.wait()
        }
    }

    private func checkIn(_ connection: SQLiteConnection) {
        condition.lock()
        defer { condition.unlock() }
        if closed || generations[ObjectIdentifier(connection)] != generation {
            generations[ObjectIdentifier(connection)] = nil
            connection.close()
            open -= 1
        } else {
            // A read that failed mid-transaction must not leave its snapshot open.
            connection.rollbackQuietly()
            idle.append(connection)
        }
        condition.signal()
    }
}
