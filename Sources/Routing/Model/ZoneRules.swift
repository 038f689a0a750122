import FoundationEssentials

/// An IANA time zone's UTC offsets over time, from a compiled tz database file (TZif: RFC 8536) that
/// a `ZoneSource` read, so that `hours` follow daylight saving time without linking ICU. Offsets come from the file's transitions and, after the last one, from its footer rule
/// (a POSIX TZ string such as `EST5EDT,M3.2.0,M11.1.0`).
package struct ZoneRules: Sendable, Equatable, CustomStringConvertible {
    /// The IANA name it was loaded as, e.g. `America/New_York`.
    package let identifier: String
    /// Transition instants (Unix seconds, ascending) and the UTC offset in force from each.
    let transitions: [Int64]
    private let offsets: [Int32]
    /// The offset before the first transition (RFC 8536: the first local time type).
    private let initialOffset: Int32
    /// After the last transition (or always, without transitions).
    let footer: PosixTZ?

    package var description: String { identifier }

    /// A zone with one offset, for tests and for `UTC` where no tz database is installed.
    package static func fixed(_ identifier: String, secondsEast: Int32) -> ZoneRules {
        ZoneRules(identifier: identifier, transitions: [], offsets: [], initialOffset: secondsEast, footer: nil)
    }

    /// A zone that follows one POSIX TZ rule (`EST5EDT,M3.2.0,M11.1.0`) at every instant, without
    /// the history a TZif file holds: for tests.
    package init?(identifier: String, posix: String) {
        guard let rule = PosixTZ(posix) else { return nil }
        self.init(identifier: identifier, transitions: [], offsets: [], initialOffset: Int32(rule.standard), footer: rule)
    }

    private init(identifier: String, transitions: [Int64], offsets: [Int32], initialOffset: Int32, footer: PosixTZ?) {
        self.identifier = identifier
        self.transitions = transitions
        self.offsets = offsets
        self.initialOffset = initialOffset
        self.footer = footer
    }

    /// Parses a TZif file (versions 1 to 4); nil when it is not one or is cut short.
    package init?(identifier: String, tzif bytes: [UInt8]) {
        var reader = TZifReader(bytes: bytes)
        guard let first = reader.header() else { return nil }
        var header = first
        var timeSize = 4
        if first.version >= 2 {
            // Version 2+: skip the 32-bit block, read the 64-bit one that follows and the footer.
            guard reader.skip(first.v1BlockLength), let second = reader.header() else { return nil }
            header = second
            timeSize = 8
        }
        var transitions: [Int64] = []
        transitions.reserveCapacity(header.timeCount)
        for _ in 0..<header.timeCount {
            guard let time = timeSize == 8 ? reader.int64() : reader.int32().map(Int64.init) else { return nil }
            transitions.append(time)
        }
        var indices: [Int] = []
        for _ in 0..<header.timeCount {
            guard let index = reader.byte() else { return nil }
            indices.append(Int(index))
        }
        var typeOffsets: [Int32] = []
        for _ in 0..<header.typeCount {
            guard let offset = reader.int32(), reader.skip(2) else { return nil }  // isdst, desigidx
            typeOffsets.append(offset)
        }
        guard !typeOffsets.isEmpty, indices.allSatisfy({ $0 < typeOffsets.count }),
              zip(transitions, transitions.dropFirst()).allSatisfy({ $0 < $1 }),
              reader.skip(header.charCount + header.leapCount * (timeSize + 4) + header.isStdCount + header.isUTCCount)
        else { return nil }
        var footer: PosixTZ?
        if first.version >= 2 {
            // Required, though it may be empty (no rule after the last transition).
            guard let text = reader.footer() else { return nil }
            if !text.isEmpty {
                guard let rule = PosixTZ(text) else { return nil }
                footer = rule
            }
        }
        self.init(identifier: identifier, transitions: transitions, offsets: indices.map { typeOffsets[$0] },
                  initialOffset: typeOffsets[0], footer: footer)
    }

    /// Seconds east of UTC in force at `unixSeconds`.
    package func secondsEast(at unixSeconds: Int64) -> Int {
        if let footer, transitions.last.map({ unixSeconds >= $0 }) ?? true { return footer.secondsEast(at: unixSeconds) }
        return tableSecondsEast(at: unixSeconds)
    }

    /// The offset from the transitions alone (the footer's rule ignored).
    func tableSecondsEast(at unixSeconds: Int64) -> Int {
        // The last transition at or before the instant.
        var low = 0, high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= unixSeconds { low = middle + 1 } else { high = middle }
        }
        return Int(low == 0 ? initialOffset : offsets[low - 1])
    }

    /// Letters, digits, `_+-` in `/`-separated parts, none of them `.` or `..`: never a path out of
    /// the directory.
    package static func isPlausibleName(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        return !name.isEmpty && name.utf8.count <= 255 && parts.allSatisfy { part in
            !part.isEmpty && part.first != "." && part.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "+"),
                     UInt8(ascii: "-"), UInt8(ascii: "."): true
                default: false
                }
            }
        }
    }
}

/// Big-endian fields of a TZif file.
private struct TZifReader {
    struct Header {
        var version: Int
        var isUTCCount, isStdCount, leapCount, timeCount, typeCount, charCount: Int

        /// The length of a version 1 data block, which has 4-byte times.
        var v1BlockLength: Int {
            timeCount * 5 + typeCount * 6 + charCount + leapCount * 8 + isStdCount + isUTCCount
        }
    }

    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func header() -> Header? {
        guard offset + 44 <= bytes.count, bytes[offset..<offset + 4].elementsEqual("TZif".utf8) else { return nil }
        let versionByte = bytes[offset + 4]
        let version = versionByte == 0 ? 1 : Int(versionByte) - Int(UInt8(ascii: "0"))
        guard (1...9).contains(version) else { return nil }
        offset += 20
        var counts: [Int] = []
        for _ in 0..<6 {
            guard let count = int32(), count >= 0, count < 1 << 20 else { return nil }
            counts.append(Int(count))
        }
        guard counts[4] > 0 else { return nil }  // at least one local time type
        return Header(version: version, isUTCCount: counts[0], isStdCount: counts[1], leapCount: counts[2],
                      timeCount: counts[3], typeCount: counts[4], charCount: counts[5])
    }

    mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, offset + count <= bytes.count else { return false }
        offset += count
        return true
    }

    mutating func byte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func int32() -> Int32? {
        guard offset + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[offset..<offset + 4] { value = value << 8 | UInt32(byte) }
        offset += 4
        return Int32(bitPattern: value)
    }

    mutating func int64() -> Int64? {
        guard offset + 8 <= bytes.count else { return nil }
        var value: UInt64 = 0
        for byte in bytes[offset..<offset + 8] { value = value << 8 | UInt64(byte) }
        offset += 8
        return Int64(bitPattern: value)
    }

    /// The text between the newlines that end a version 2+ file; nil when they are missing.
    mutating func footer() -> String? {
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\n"),
              let end = bytes[(offset + 1)...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        return String(decoding: bytes[(offset + 1)..<end], as: UTF8.self)
    }
}
