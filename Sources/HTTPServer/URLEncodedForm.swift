#if canImport(Platform)  // the fuzz harnesses compile Platform's Text.swift in with this file
import Platform
#endif

/// `application/x-www-form-urlencoded` (WHATWG URL §5): `+` is a space, `%XX` a byte.
package enum URLEncodedForm {
    /// Decodes `a=1&b=%2B2` into pairs, in order. Malformed escapes are kept as written.
    package static func decode(_ text: String) -> [(String, String)] {
        decode(Array(text.utf8))
    }

    /// The same from bytes (a request body): names and values are percent-decoded as bytes and then
    /// read as UTF-8, invalid sequences replaced (WHATWG URL §5.1).
    package static func decode(_ bytes: [UInt8]) -> [(String, String)] {
        bytes.withUnsafeBufferPointer { b in
            var pairs: [(String, String)] = []
            // One pair per `&`-separated part at most: the array is sized once.
            pairs.reserveCapacity(b.reduce(1) { $1 == UInt8(ascii: "&") ? $0 + 1 : $0 })
            var start = 0
            while start < b.count {
                var end = start
                while end < b.count, b[end] != UInt8(ascii: "&") { end += 1 }
                if end > start {
                    let part = UnsafeBufferPointer(rebasing: b[start..<end])
                    if let eq = part.firstIndex(of: UInt8(ascii: "=")) {
                        pairs.append((percentDecode(UnsafeBufferPointer(rebasing: part[..<eq])),
                                      percentDecode(UnsafeBufferPointer(rebasing: part[(eq + 1)...]))))
                    } else {
                        pairs.append((percentDecode(part), ""))
                    }
                }
                start = end + 1
            }
            return pairs
        }
    }

    /// Percent-decodes one component, `+` as space.
    package static func percentDecode(_ bytes: Substring.UTF8View.SubSequence) -> String {
        Array(bytes).withUnsafeBufferPointer(percentDecode)
    }

    static func percentDecode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Most names and values hold neither: taken as they are.
        guard bytes.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(0x20)
            } else if b == UInt8(ascii: "%"), i + 2 < bytes.count,
                      let hi = hexDigitValue(bytes[i + 1]), let lo = hexDigitValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
                continue
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes pairs for a form body or query (unreserved characters kept, space as `+`).
    package static func encode(_ pairs: [(String, String)]) -> String {
        FormEncoding.encode(pairs)
    }

    package static func escape(_ text: String) -> String {
        FormEncoding.escape(text)
    }
}
