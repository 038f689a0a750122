import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Write-protects a file: mode 0444, and for root (whom modes do not stop) the immutable attribute.
struct ReadOnlyFile {
    let path: String

    /// Whether write protection works here (probed once on a scratch file).
    static let isPossible: Bool = {
        let probe = TemporaryDatabase()
        defer { probe.remove() }
        guard FileManager.default.createFile(atPath: probe.path, contents: Data()) else { return false }
        guard let protection = ReadOnlyFile(path: probe.path) else { return false }
        protection.undo()
        return true
    }()

    init?(path: String) {
        self.path = path
        chmod(path, 0o444)
        if geteuid() == 0 && !Self.chattr("+i", path) {
            chmod(path, 0o644)
            return nil
        }
        let fd = open(path, O_WRONLY)
        if fd >= 0 {
            close(fd)
            undo()
            return nil
        }
    }

    func undo() {
        if geteuid() == 0 { _ = Self.chattr("-i", path) }
        chmod(path, 0o644)
    }

    private static func chattr(_ flag: String, _ path: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        process.arguments = [flag, path]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
