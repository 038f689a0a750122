import CLinux
import Glibc
import Synchronization

// Locks, a condition and threads on pthreads, for modules that use FoundationEssentials (which has
// neither NSLock nor Thread). The pthread objects live on the heap: Swift promises no stable address
// for a stored property, and a pthread mutex must not move.

/// A mutual-exclusion lock.
package final class Lock: @unchecked Sendable {
    fileprivate let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    package init() {
        mutex.initialize(to: pthread_mutex_t())
        let rc = pthread_mutex_init(mutex, nil)
        precondition(rc == 0, "pthread_mutex_init: \(rc)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func lock() { pthread_mutex_lock(mutex) }

    package func unlock() { pthread_mutex_unlock(mutex) }

    package func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// A lock with a condition variable: `wait()` with the lock held.
package final class Condition: @unchecked Sendable {
    private let mutex = Lock()
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    package init() {
        condition.initialize(to: pthread_cond_t())
        let rc = pthread_cond_init(condition, nil)
        precondition(rc == 0, "pthread_cond_init: \(rc)")
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
    }

    package func lock() { mutex.lock() }

    package func unlock() { mutex.unlock() }

    /// Releases the lock until signalled (or woken spuriously: wait in a loop), then takes it again.
    package func wait() { pthread_cond_wait(condition, mutex.mutex) }

    package func signal() { pthread_cond_signal(condition) }

    package func broadcast() { pthread_cond_broadcast(condition) }
}

package struct ThreadStartError: Error, CustomStringConvertible {
    package let code: Int32
    package var description: String { "pthread_create failed: \(String(cString: strerror(code)))" }
}

/// Starts a thread named `name` (the first 15 bytes show in `top -H`) that runs `body`: detached, or
/// `joinable` for `pthread_join`.
@discardableResult
package func startThread(
    name: String, joinable: Bool = false, _ body: @escaping @Sendable () -> Void
) throws -> pthread_t {
    final class Box {
        let name: String
        let body: @Sendable () -> Void
        init(_ name: String, _ body: @escaping @Sendable () -> Void) { self.name = name; self.body = body }
    }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(joinable ? PTHREAD_CREATE_JOINABLE : PTHREAD_CREATE_DETACHED))
    let box = Unmanaged.passRetained(Box(String(name.prefix(15)), body))
    var id = pthread_t()
    let rc = pthread_create(&id, &attributes, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        // Named by the thread itself: a detached thread's id may be stale by the time its creator looks.
        _ = pthread_setname_np(pthread_self(), box.name)
        box.body()
        return nil
    }, box.toOpaque())
    guard rc == 0 else {
        box.release()
        throw ThreadStartError(code: rc)
    }
    return id
}

/// Sleeps the calling thread for `seconds` (nothing for zero or less).
package func sleep(seconds: Double) {
    guard seconds > 0 else { return }
    var left = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.towardZero)) * 1e9))
    var request = left
    while nanosleep(&request, &left) == -1 && errno == EINTR { request = left }
}

/// A value behind a `Mutex`, shared between threads and closures (a `Mutex` itself cannot be
/// captured: it is not copyable).
package final class Locked<Value>: Sendable {
    private let mutex: Mutex<Value>

    package init(_ value: sending Value) { mutex = Mutex(value) }

    /// Runs `body` on the value under the lock. Do not read a closure out this way
    /// (`withLock { $0 }` with a function-typed `Value`): each such read writes the closure back
    /// wrapped in one more reabstraction thunk, so calls get slower and memory grows with every
    /// read. Use `current`, or keep the closure in a `let`.
    package func withLock<T: Sendable, E: Error>(_ body: (inout sending Value) throws(E) -> T) throws(E) -> T {
        try mutex.withLock { value throws(E) in try body(&value) }
    }
}

extension Locked where Value: Sendable {
    /// The value now (a copy).
    package var current: Value { mutex.withLock { $0 } }
}
