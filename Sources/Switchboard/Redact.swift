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
            // Written in place: a phone number's mask fits a small string, with no allocation at all.
            return String(unsafeUninitializedCapacity: bytes.count) { masked in
                _ = masked.initialize(from: bytes)
                for i in 2..<(bytes.count - 4) { masked[i] = UInt8(ascii: "*") }
                return bytes.count
            }
        }
        guard address.count > 6 else { return String(repeating: "*", count: address.count) }
        return String(address.prefix(2)) + String(repeating: "*", count: address.count - 6) + String(address.suffix(4))
    }
}
