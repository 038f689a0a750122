import Platform

/// The one place XML text and attribute values are escaped.
enum XMLEscaping {
    /// Escapes `& < > " '`, writes tab, line feed and carriage return as character references (so
    /// they survive in attributes and are not normalised away in text), and drops every character
    /// XML 1.0 forbids or discourages: other C0 and C1 controls, DEL, U+FFFE and U+FFFF.
    static func escape(_ text: String) -> String {
        var out: [UInt8] = []
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `escape(text)`, appended to `out` as UTF-8. Works on the bytes: a String's UTF-8 is valid, so
    /// every byte of 0x80 or more belongs to a scalar beyond ASCII, and the only such scalars dropped
    /// are C1 controls (`C2 80`...`C2 9F`) and U+FFFE/U+FFFF (`EF BF BE`/`EF BF BF`).
    static func append(_ text: String, to out: inout [UInt8]) {
        text.withUTF8Bytes { bytes in
            out.reserveCapacity(out.count + bytes.count)
            // Runs of bytes that stay as they are go in whole; each byte that does not ends a run.
            var run = 0
            var i = 0
            func flush(skipping count: Int) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                i += count
                run = i
            }
            while i < bytes.count {
                let byte = bytes[i]
                switch byte {
                case UInt8(ascii: "&"): flush(skipping: 1); out += "&amp;".utf8
                case UInt8(ascii: "<"): flush(skipping: 1); out += "&lt;".utf8
                case UInt8(ascii: ">"): flush(skipping: 1); out += "&gt;".utf8
                case UInt8(ascii: "\""): flush(skipping: 1); out += "&quot;".utf8
                case UInt8(ascii: "'"): flush(skipping: 1); out += "&apos;".utf8
                case 0x09: flush(skipping: 1); out += "&#9;".utf8
                case 0x0A: flush(skipping: 1); out += "&#10;".utf8
                case 0x0D: flush(skipping: 1); out += "&#13;".utf8
                case 0x00...0x1F, 0x7F: flush(skipping: 1)
                case 0xC2 where i + 1 < bytes.count && (0x80...0x9F).contains(bytes[i + 1]):
                    flush(skipping: 2)  // a C1 control: both of its bytes dropped
                case 0xEF where i + 2 < bytes.count && bytes[i + 1] == 0xBF && bytes[i + 2] >= 0xBE:
                    flush(skipping: 3)  // U+FFFE or U+FFFF
                default: i += 1
                }
            }
            flush(skipping: 0)
        }
    }
}
