import Dispatch
import Foundation

/// Runs `body(index)` on `count` threads of their own (not Dispatch's pool, which caps concurrency at
/// the core count) and waits for all of them; false when `timeout` seconds pass first.
@discardableResult
package func runThreads(_ count: Int, timeout: Double, _ body: @escaping @Sendable (Int) -> Void) -> Bool {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    return group.wait(timeout: .now() + timeout) == .success
}
