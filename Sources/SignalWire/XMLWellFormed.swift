/// Whether a document is well-formed XML, as far as cXML needs: an optional declaration, one root
/// element, balanced and properly nested tags, quoted attribute values, and only the predefined or
/// numeric entity references. No DTDs, comments or CDATA (cXML answers have none). For
/// `switchboard doctor`, which checks every answer a route renders.
package enum XMLWellFormed {
    /// nil when well formed, else what is wrong and at which byte offset.
    package static func problem(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        var i = 0
        var open: [ArraySlice<UInt8>] = []
        var roots = 0
        func at(_ message: String) -> String { "\(message) at byte \(i)" }
        if bytes.starts(with: Array("<?xml ".utf8)) {
            guard let end = find(bytes, Array("?>".utf8), from: i) else { return at("unterminated XML declaration") }
            i = end + 2
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte != UInt8(ascii: "<") {
                if open.isEmpty {
                    guard isSpace(byte) else { return at("text outside the root element") }
                    i += 1
                } else if byte == UInt8(ascii: "&") {
                    guard let next = entityEnd(bytes, i) else { return at("a bare & or an unknown entity") }
                    i = next
                } else if byte == UInt8(ascii: ">") {
                    return at("a bare >")
                } else {
                    i += 1
                }
                continue
            }
            i += 1
            let closing = i < bytes.count && bytes[i] == UInt8(ascii: "/")
            if closing { i += 1 }
            let nameStart = i
            while i < bytes.count, isNameByte(bytes[i]) { i += 1 }
            let name = bytes[nameStart..<i]
            guard !name.isEmpty else { return at("a tag without a name") }
            if closing {
                while i < bytes.count, isSpace(bytes[i]) { i += 1 }
                guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { return at("an unterminated end tag") }
                guard let last = open.popLast(), last == name else { return at("</\(String(decoding: name, as: UTF8.self))> closes nothing open") }
                i += 1
                continue
            }
            // Attributes, then > or />.
            var names: [ArraySlice<UInt8>] = []
            while true {
                let spaced = i < bytes.count && isSpace(bytes[i])
                while i < bytes.count, isSpace(bytes[i]) { i += 1 }
                guard i < bytes.count else { return at("an unterminated tag") }
                if bytes[i] == UInt8(ascii: ">") || (bytes[i] == UInt8(ascii: "/") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: ">")) {
                    break
                }
                guard spaced else { return at("attributes must be separated by spaces") }
                let attributeStart = i
                while i < bytes.count, isNameByte(bytes[i]) { i += 1 }
                let attribute = bytes[attributeStart..<i]
                guard !attribute.isEmpty, i < bytes.count, bytes[i] == UInt8(ascii: "=") else { return at("a malformed attribute") }
                guard !names.contains(attribute) else { return at("a repeated attribute") }
                names.append(attribute)
                i += 1
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else { return at("an unquoted attribute value") }
                let quote = bytes[i]
                i += 1
                while i < bytes.count, bytes[i] != quote {
                    if bytes[i] == UInt8(ascii: "<") { return at("< in an attribute value") }
                    if bytes[i] == UInt8(ascii: "&") {
                        guard let next = entityEnd(bytes, i) else { return at("a bare & or an unknown entity") }
                        i = next
                    } else {
                        i += 1
                    }
                }
                guard i < bytes.count else { return at("an unterminated attribute value") }
                i += 1
            }
            if open.isEmpty {
                roots += 1
                guard roots == 1 else { return at("a second root element") }
            }
            if bytes[i] == UInt8(ascii: "/") {
                i += 2
            } else {
                open.append(name)
                i += 1
            }
        }
        if let last = open.last { return "<\(String(decoding: last, as: UTF8.self))> is never closed" }
        return roots == 1 ? nil : "no root element"
    }

    /// The index after a valid entity reference starting at `start` (`&`), or nil.
    private static func entityEnd(_ bytes: [UInt8], _ start: Int) -> Int? {
        guard let semicolon = bytes[start...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else { return nil }
        let name = String(decoding: bytes[(start + 1)..<semicolon], as: UTF8.self)
        let named = ["amp", "lt", "gt", "quot", "apos"]
        if named.contains(name) { return semicolon + 1 }
        if name.hasPrefix("#x"), name.count > 2, UInt32(name.dropFirst(2), radix: 16) != nil { return semicolon + 1 }
        if name.hasPrefix("#"), name.count > 1, UInt32(name.dropFirst()) != nil { return semicolon + 1 }
        return nil
    }

    private static func find(_ bytes: [UInt8], _ needle: [UInt8], from: Int) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (from...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".") || byte >= 0x80
    }
}
