import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Write-protects files under a running process: mode 0444, and for root (whom modes do not stop)
/// the immutable attribute, which also refuses writes through descriptors already open.
struct WriteProtection {
    let paths: [String]

    /// Whether protection works here, probed once on a scratch file.
    static let isPossible: Bool = {
        let path = NSTemporaryDirectory() + "/sb-soak-probe-\(getpid())"
        guard FileManager.default.createFile(atPath: path, contents: Data("x".utf8)) else { return false }
        defer { unlink(path) }
        let fd = open(path, O_WRONLY)
        defer { if fd >= 0 { close(fd) } }
        guard fd >= 0, let protection = WriteProtection(paths: [path]) else { return false }
        defer { protection.undo() }
        var byte: UInt8 = 0x79
        return write(fd, &byte, 1) < 0
    }()

    /// Nil when a file stays writable.
    init?(paths: [String]) {
        self.paths = paths
        for path in paths {
            chmod(path, 0o444)
            if geteuid() == 0 && !Self.run("/usr/bin/chattr", ["+i", path]) {
                undo()
                return nil
            }
        }
    }

    func undo() {
        for path in paths {
            if geteuid() == 0 { _ = Self.run("/usr/bin/chattr", ["-i", path]) }
            chmod(path, 0o644)
        }
    }

    /// Runs a tool to its end, output discarded; true on exit 0.
    static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

/// A small tmpfs (`mount -t tmpfs`, root only) to fill up.
enum Tmpfs {
    /// Whether mounting works here, probed once.
    static let canMount: Bool = {
        var template = Array((NSTemporaryDirectory() + "/sb-tmpfs-probe-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { return false }
        let directory = String(cString: made)
        defer { rmdir(directory) }
        guard mount(directory, size: "64k") else { return false }
        unmount(directory)
        return true
    }()

    static func mount(_ directory: String, size: String) -> Bool {
        WriteProtection.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", directory])
    }

    /// Lazily, so a process still holding a file there does not keep it mounted.
    static func unmount(_ directory: String) {
        _ = WriteProtection.run("/usr/bin/umount", ["-l", directory])
    }

    /// Writes zeros to `path` until the file system is full (bounded); returns the bytes written.
    static func fill(_ path: String, limit: Int = 64 << 20) -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while total < limit {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            total += n
        }
        return total
    }
}
