import Foundation
import Testing
@testable import Switchboard

/// The log writer thread: lines arrive whole and in order, within its delay or at once on `flush`.
@Suite struct StandardErrorWriterTests {
    /// A pipe whose read end is non-blocking, drained into a string.
    final class Pipe {
        let read: Int32
        let write: Int32
        var received = ""

        init() throws {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw CocoaError(.fileWriteUnknown) }
            read = fds[0]
            write = fds[1]
            _ = fcntl(read, F_SETFL, fcntl(read, F_GETFL) | O_NONBLOCK)
        }

        deinit {
            close(read)
            close(write)
        }

        func drain() -> String {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = Glibc.read(read, &buffer, buffer.count)
                guard n > 0 else { break }
                received += String(decoding: buffer[0..<n], as: UTF8.self)
            }
            return received
        }
    }

    @Test func flushWritesEverythingQueuedInOrder() throws {
        let pipe = try Pipe()
        let writer = StandardErrorWriter(fd: pipe.write)
        let lines = (0..<500).map { "line \($0) " + String(repeating: "x", count: $0 % 40) }
        for line in lines { writer.append(line) }
        writer.flush()
        #expect(pipe.drain() == lines.map { $0 + "\n" }.joined())
    }

    @Test func linesArriveWithoutAFlush() throws {
        let pipe = try Pipe()
        let writer = StandardErrorWriter(fd: pipe.write)
        writer.append("first")
        writer.append("second")
        let deadline = Date().addingTimeInterval(5)
        while pipe.drain() != "first\nsecond\n", Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        #expect(pipe.received == "first\nsecond\n")
    }

    @Test func linesPastTheLimitAreDroppedAndCounted() throws {
        let pipe = try Pipe()
        let writer = StandardErrorWriter(fd: pipe.write, limit: 100, background: false)
        for i in 0..<20 { writer.append("line \(i)") }
        writer.flush()
        let lines = pipe.drain().split(separator: "\n").map(String.init)
        let kept = lines.filter { $0.hasPrefix("line ") }
        // "line 0".."line 9" take 70 bytes with their newlines, "line 10".."line 12" 24 more: 13 fit in 100.
        #expect(kept == (0..<13).map { "line \($0)" })
        #expect(lines.last == "WARNING 7 log lines dropped: stderr was not keeping up")
    }

    @Test func concurrentLinesNeverInterleave() throws {
        let pipe = try Pipe()
        let writer = StandardErrorWriter(fd: pipe.write)
        // 8 x 60 lines of ~70 bytes: within the pipe's 64 KiB, which nobody reads until the end.
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for i in 0..<60 { writer.append("thread \(thread) line \(i) " + String(repeating: "\(thread)", count: 50)) }
        }
        writer.flush()
        let received = pipe.drain().split(separator: "\n")
        #expect(received.count == 480)
        for thread in 0..<8 {
            let mine = received.filter { $0.hasPrefix("thread \(thread) ") }.map(String.init)
            #expect(mine == (0..<60).map { "thread \(thread) line \($0) " + String(repeating: "\(thread)", count: 50) })
        }
    }
}
