/// Member numbers are personal data: logs and metrics show only enough to tell members apart.
enum Redact {
    /// `+15551111112` -> `+1******1112`; `sip:bob@host` -> `sip:b***@host`.
    static func member(_ address: String) -> String {
        if address.hasPrefix("sip:") {
            let rest = address.dropFirst(4)
            guard let at = rest.firstIndex(of: "@"), let first = rest.first else { return "sip:***" }
            return "sip:\(first)***\(rest[at...])"
        }
        let bytes = address.utf8
        // Phone numbers are ASCII: mask bytes, without counting characters.
        if bytes.allSatisfy({ $0 < 0x80 }) {
            guard bytes.count > 6 else { return String(repeating: "*", count: bytes.count) }
            var masked = Array(bytes)
            for i in 2..<(masked.count - 4) { masked[i] = UInt8(ascii: "*") }
            return String(decoding: masked, as: UTF8.self)
        }
        guard address.count > 6 else { return String(repeating: "*", count: address.count) }
        return String(address.prefix(2)) + String(repeating: "*", count: address.count - 6) + String(address.suffix(4))
    }
}
