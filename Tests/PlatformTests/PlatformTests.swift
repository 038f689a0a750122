import Foundation
@testable import Platform
import Testing
import TestSupport

@Suite struct TextTests {
    /// Against Foundation's own trimming, over spaces, tabs, line breaks and Unicode separators.
    @Test(arguments: ["", " ", "\t a b \t", "\r\n x \n", "\u{00A0}x\u{2003}", "\u{2028}x\u{0085}", "x", " \u{1F600} ",
                      "\u{000B}\u{000C}y", "a\u{3000}"])
    func trimmingMatchesFoundation(_ text: String) {
        #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces))
        #expect(text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(text[...].trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces))
    }

    /// Against Foundation's `replacingOccurrences`, including "\n" inside the one Character "\r\n".
    @Test(arguments: [
        ("a\\b\"c", "\\", "\\\\"), ("a\r\nb\nc", "\n", "\\n"), ("a\r\nb", "\r\n", " "), ("aaa", "aa", "b"),
        ("", "x", "y"), ("xyz", "", "q"), ("é\u{301}e", "e", "E"), ("https://u:p@h", "://", "://<c>@"), ("abc", "abcd", "z"),
    ])
    func replacingMatchesFoundation(_ text: String, _ target: String, _ replacement: String) {
        let expected = target.isEmpty ? text : text.replacingOccurrences(of: target, with: replacement)
        #expect(text.replacingAll(target, with: replacement) == expected)
    }

    /// The bytes `withUTF8Bytes` lends are the string's UTF-8, for strings and substrings alike.
    @Test(arguments: ["", "Content-Length", "clé ☎️", "a\u{0}b", String(repeating: "long ", count: 40)])
    func utf8BytesAreTheUTF8(_ text: String) {
        #expect(text.withUTF8Bytes { Array($0) } == Array(text.utf8))
        let inner = text.dropFirst().dropLast()
        #expect(inner.withUTF8Bytes { Array($0) } == Array(inner.utf8))
    }

    @Test(arguments: [0.0, -0.0, 1.005, 2.5, 0.125, 0.375, 3.5, 12.3456, -0.001, -3.14159, 999.995, 1e6 + 0.5, 0.004, 0.006])
    func fixedPointMatchesPrintf(_ value: Double) {
        let printf = String(format: "%.2f", value)
        let ours = fixedPoint(value, decimals: 2)
        #expect(ours == printf, "\(value)")
        #expect(fixedPoint(value, decimals: 0) == String(format: "%.0f", value))
    }
}

@Suite struct ThreadTests {
    @Test func lockExcludesAndConditionWakes() throws {
        let lock = Lock()
        let condition = Condition()
        let counter = Locked(0)
        let ready = Locked(0)
        let finished = runThreads(4, timeout: 30) { _ in
            for _ in 0..<10_000 { lock.withLock { counter.withLock { $0 += 1 } } }
            condition.lock()
            ready.withLock { $0 += 1 }
            condition.broadcast()
            condition.unlock()
        }
        condition.lock()
        while ready.withLock({ $0 }) < 4 { condition.wait() }
        condition.unlock()
        #expect(finished)
        #expect(lock.withLock { counter.withLock { $0 } } == 40_000)
    }

    @Test func startedThreadsRunNamedAndJoin() throws {
        let name = Locked("")
        let id = try startThread(name: "test-thread-name-longer-than-15", joinable: true) {
            let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            name.withLock { $0 = comm.trimmingCharacters(in: .newlines) }
        }
        pthread_join(id, nil)
        #expect(name.withLock { $0 } == "test-thread-nam")
    }

    @Test func sleepWaitsAtLeastThatLong() {
        let start = DispatchTime.now().uptimeNanoseconds
        Platform.sleep(seconds: 0.05)
        #expect(DispatchTime.now().uptimeNanoseconds - start >= 50_000_000)
        Platform.sleep(seconds: -1)
    }

    @Test func writeFullyWritesEverything() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let bytes = [UInt8](repeating: 7, count: 10_000)
        #expect(bytes.withUnsafeBytes { writeFully(fds[1], $0) })
        close(fds[1])
        var read = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = Glibc.read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            read += n
        }
        #expect(read == 10_000)
        #expect(!bytes.withUnsafeBytes { writeFully(fds[1], $0) }, "a closed descriptor fails")
    }
}

@Suite struct CodeReleaseTests {
    /// Lines as /proc/self/maps writes them: only file-backed `r-xp` mappings are code to release.
    @Test(arguments: [
        ("55d0c1a8a000-55d0c24a5000 r-xp 00289000 08:01 1234567  /usr/bin/switchboard", 0x55d0c1a8a000, 0x55d0c24a5000),
        ("7f0e2c028000-7f0e2c17d000 r-xp 00028000 fd:00 42 /usr/lib/x86_64-linux-gnu/libc.so.6", 0x7f0e2c028000, 0x7f0e2c17d000),
        ("7f0e2c028000-7f0e2c17d000 r-xp 00028000 fd:00 42 /tmp/with space (deleted)", 0x7f0e2c028000, 0x7f0e2c17d000),
    ])
    func codeMappings(_ line: String, _ start: Int, _ end: Int) throws {
        let mapping = try #require(line.withCString { CodeMapping(line: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self)) })
        #expect(mapping.start == start)
        #expect(mapping.end == end)
    }

    @Test(arguments: [
        "55d0c1a8a000-55d0c24a5000 r--p 00000000 08:01 1234567  /usr/bin/switchboard",  // read-only data
        "55d0c1a8a000-55d0c24a5000 rw-p 00000000 08:01 1234567  /usr/bin/switchboard",  // written data
        "55d0c1a8a000-55d0c24a5000 rwxp 00000000 08:01 1234567  /usr/bin/switchboard",  // writable code
        "7ffd3b1f4000-7ffd3b1f6000 r-xp 00000000 00:00 0                          [vdso]",  // no file
        "7f0e2c028000-7f0e2c17d000 r-xs 00028000 fd:00 42 /dev/shm/shared",  // shared
        "7f0e2c17d000-7f0e2c028000 r-xp 00028000 fd:00 42 /lib/backwards",  // end before start
        "zz-7f0e2c17d000 r-xp 00028000 fd:00 42 /lib/x", "", "7f0e2c028000 r-xp",
    ])
    func notCodeMappings(_ line: String) {
        #expect(line.withCString { CodeMapping(line: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self)) } == nil)
    }

    /// This test process's own code: released, it is resident no more, and it still runs.
    @Test func releasingDropsResidentCodeAndKeepsRunning() throws {
        let before = try #require(residentFileKiB())
        let advised = releaseResidentCode()
        let after = try #require(residentFileKiB())
        #expect(advised > 0)
        #expect(after < before, "RssFile \(before) KiB -> \(after) KiB")
        #expect([3, 1, 2].sorted() == [1, 2, 3])
    }

    private func residentFileKiB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("RssFile:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
    }
}
