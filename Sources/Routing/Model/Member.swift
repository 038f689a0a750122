/// One member of a pool: a phone number (E.164) or a `sip:` URI.
package struct Member: Sendable, Equatable {
    /// `+15551234567` or `sip:bob@example.sip.signalwire.com`; also the member's identity in the store.
    package var address: String
    package var name: String?
    /// Relative chance with the `random` strategy (≥ 1).
    package var weight: Int
    /// Disabled members stay listed (and keep their round-robin place) but are never offered.
    package var enabled: Bool
    /// The member's own weekly shift (the pool's `hours` syntax, without `closed`); nil: always.
    package var hours: Hours?

    package init(address: String, name: String? = nil, weight: Int = 1, enabled: Bool = true, hours: Hours? = nil) {
        self.address = address
        self.name = name
        self.weight = weight
        self.enabled = enabled
        self.hours = hours
    }

    /// SIP endpoints take calls but not texts.
    package var canReceiveSMS: Bool { Address.isE164(address) }

    /// Whether the member is offered on `channel`.
    package func isEligible(for channel: Channel) -> Bool {
        enabled && (channel == .voice || canReceiveSMS)
    }
}

/// Syntax checks for the addresses routes.json accepts.
package enum Address {
    /// `+[1-9][0-9]{6,14}`.
    package static func isE164(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 8, bytes.count <= 16, bytes[0] == UInt8(ascii: "+"),
              bytes[1] >= UInt8(ascii: "1"), bytes[1] <= UInt8(ascii: "9") else { return false }
        return bytes.dropFirst(2).allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// `sip:` followed by `user@host` or `host`, without spaces or control characters.
    package static func isSIP(_ text: String) -> Bool {
        guard text.hasPrefix("sip:") else { return false }
        let rest = text.dropFirst(4)
        guard !rest.isEmpty, !rest.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            return false
        }
        let parts = rest.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count <= 2 && parts.allSatisfy { !$0.isEmpty }
    }

    /// The key two addresses are compared by: SIP URIs ignore case, numbers are compared as written.
    package static func identity(_ text: String) -> String {
        isSIP(text) ? text.lowercased() : text
    }
}
