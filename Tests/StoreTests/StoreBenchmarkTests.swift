import Foundation
import Routing
import TestSupport
import Testing
@testable import Store

/// Prints round-robin decisions per second: 8 threads × 2,000 decisions against a fresh file.
/// A measurement, not a pass/fail timing: it asserts only that every decision was stored.
@Suite(.serialized) struct StoreBenchmarkTests {
    static let members = ["+15551111111", "+15551111112", "+15551111113"]

    @Test(arguments: [
        ("normal", SQLiteStore.Durability.normal, false, 2_000),
        ("normal + group commit", .normal, true, 2_000),
        ("full + group commit", .full, true, 2_000),
        ("full, no group commit", .full, false, 250),
    ])
    func decisionsPerSecond(label: String, durability: SQLiteStore.Durability, groupCommit: Bool, perThread: Int) throws {
        let db = TemporaryDatabase()
        defer { db.remove() }
        let store = try SQLiteStore(path: db.path, durability: durability, readOnly: false, groupCommit: groupCommit)
        defer { store.close() }
        let threads = 8
        let failures = Locked(0)
        let start = DispatchTime.now().uptimeNanoseconds
        let finished = runThreads(threads, timeout: 120) { _ in
            for _ in 0..<perThread {
                do {
                    _ = try store.route(positionQuery(), roundRobin(Self.members))
                } catch {
                    failures.withLock { $0 += 1 }
                }
            }
        }
        #expect(finished)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let total = threads * perThread
        print("store benchmark [\(label)]: \(Int(Double(total) / seconds)) decisions/s "
              + "(\(threads) threads x \(perThread), \(String(format: "%.2f", seconds)) s)")
        #expect(failures.current == 0)
        #expect(try store.decisionCount() == total)
    }
}
