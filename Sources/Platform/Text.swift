// The string operations Switchboard took from Foundation, which FoundationEssentials does not have.
// They work on Unicode scalars and UTF-8 bytes, as Foundation's did on UTF-16 units: "\r\n" is one
// Character in Swift, yet replacing "\n" must still find the "\n" in it.

extension Unicode.Scalar {
    /// Foundation's `CharacterSet.whitespaces`: space separators and tab.
    package var isHorizontalWhitespace: Bool {
        value == 0x09 || properties.generalCategory == .spaceSeparator
    }

    /// Foundation's `CharacterSet.newlines`: U+000A-U+000D, U+0085, U+2028, U+2029.
    package var isNewline: Bool {
        (0x0A...0x0D).contains(value) || value == 0x85 || value == 0x2028 || value == 0x2029
    }
}

extension StringProtocol {
    /// Calls `body` with the UTF-8 bytes: the string's own where it keeps them together (native
    /// strings always do), a copy otherwise. A loop over them costs a few instructions a byte; the
    /// generic `utf8` view's iterator costs tens.
    @inlinable
    package func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        return try Array(utf8).withUnsafeBufferPointer(body)
    }

    /// Without leading and trailing spaces and tabs (`trimmingCharacters(in: .whitespaces)`).
    package func trimmingWhitespace() -> String {
        trimming { $0.isHorizontalWhitespace }
    }

    /// Without leading and trailing spaces, tabs and line breaks (`.whitespacesAndNewlines`).
    package func trimmingWhitespaceAndNewlines() -> String {
        trimming { $0.isHorizontalWhitespace || $0.isNewline }
    }

    private func trimming(_ trimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !trimmed($0) }),
              let last = scalars.lastIndex(where: { !trimmed($0) }) else { return "" }
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: scalars[first...last])
        return String(kept)
    }

    /// Every occurrence of `target` replaced by `replacement`, matched byte for byte from the start
    /// (`replacingOccurrences(of:with:)` without options). An empty `target` changes nothing.
    package func replacingAll(_ target: String, with replacement: String) -> String {
        let needle = Array(target.utf8)
        // Most text holds no match: no copy of it then.
        guard let first = needle.first, utf8.contains(first) else { return String(self) }
        let bytes = Array(utf8)
        guard bytes.count >= needle.count else { return String(self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        var copied = 0
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0] && bytes[i..<(i + needle.count)].elementsEqual(needle) {
                out += bytes[copied..<i]
                out += replacement.utf8
                i += needle.count
                copied = i
            } else {
                i += 1
            }
        }
        guard copied > 0 else { return String(self) }
        out += bytes[copied...]
        return String(decoding: out, as: UTF8.self)
    }
}

/// `value` with exactly `decimals` digits after the point, rounded half away from zero
/// (`fixedPoint(value, decimals: 2)` for the finite values of durations and delays).
package func fixedPoint(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded(.toNearestOrEven)
    guard scaled < 9.0e15 else { return "\(value)" }
    let units = Int(scaled)
    let divisor = Int(scale)
    let sign = value.sign == .minus ? "-" : ""
    guard decimals > 0 else { return sign + String(units) }
    let fraction = String(units % divisor)
    return sign + String(units / divisor) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
}

/// `application/x-www-form-urlencoded`, as a form body or a query is written: unreserved characters
/// as they are, space as `+`, every other byte percent-encoded. Shared by the HTTP server's form
/// parser (`URLEncodedForm`) and the SignalWire client's form posts.
package enum FormEncoding {
    package static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    package static func escape(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case 0x20:
                out += "+"
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
            }
        }
        return out
    }
}
