import Glibc

/// Drops the resident pages of the process's file-backed code (its executable mappings) from its
/// address space, keeping the mappings: code still in use comes back from the page cache at its next
/// access, a minor fault per 64 KiB or so. Code pages are never written, so nothing is lost; data
/// mappings (relocated, written) are left alone. Returns the bytes of mappings advised.
@discardableResult
package func releaseResidentCode() -> Int {
    guard let maps = fopen("/proc/self/maps", "r") else { return 0 }
    defer { fclose(maps) }
    var released = 0
    var line: UnsafeMutablePointer<CChar>? = nil
    var capacity = 0
    defer { free(line) }
    while getline(&line, &capacity, maps) > 0, let line {
        guard let mapping = CodeMapping(line: UnsafeRawPointer(line).assumingMemoryBound(to: UInt8.self)) else { continue }
        if madvise(UnsafeMutableRawPointer(bitPattern: mapping.start), mapping.end - mapping.start, MADV_DONTNEED) == 0 {
            released += mapping.end - mapping.start
        }
    }
    return released
}

/// One line of /proc/self/maps (`start-end perms offset dev inode path`) when it maps a file
/// read-only and executable (`r-xp` with a non-zero inode).
struct CodeMapping {
    let start: Int
    let end: Int

    init?(line: UnsafePointer<UInt8>) {
        var p = line
        func hex() -> Int? {
            var value = 0, digits = 0
            while true {
                let c = p.pointee
                let digit: Int
                switch c {
                case 0x30...0x39: digit = Int(c - 0x30)
                case 0x61...0x66: digit = Int(c - 0x61 + 10)
                default: return digits > 0 ? value : nil
                }
                value = value << 4 | digit
                digits += 1
                p += 1
            }
        }
        guard let start = hex(), p.pointee == 0x2D else { return nil }
        p += 1
        guard let end = hex(), end > start, p.pointee == 0x20 else { return nil }
        p += 1
        // r-xp: read, not write, execute, private.
        guard p[0] == 0x72, p[1] == 0x2D, p[2] == 0x78, p[3] == 0x70, p[4] == 0x20 else { return nil }
        p += 5
        func skipField() { while p.pointee != 0x20 && p.pointee != 0 { p += 1 }; while p.pointee == 0x20 { p += 1 } }
        skipField()  // offset
        skipField()  // device
        var inode = 0
        while case 0x30...0x39 = p.pointee { inode = inode * 10 + Int(p.pointee - 0x30); p += 1 }
        guard inode != 0 else { return nil }
        self.start = start
        self.end = end
    }
}
