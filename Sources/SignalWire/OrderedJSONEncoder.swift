/// Writes any `Encodable` as compact JSON with object keys in the order `encode(to:)` encodes
/// them, so documents read the way their models are written and every run gives the same bytes.
/// (Foundation's `JSONEncoder` on Linux orders keys by hash unless told to sort them.) Slashes
/// are not escaped; non-finite numbers are refused.
package struct OrderedJSONEncoder: Sendable {
    package init() {}

    /// The JSON text of `value`, as UTF-8 bytes.
    package func encode(_ value: some Encodable) throws -> [UInt8] {
        let root = JSONSlot()
        try root.put(value, codingPath: [])
        var out: [UInt8] = []
        root.write(to: &out)
        return out
    }

    /// The JSON text of `value`.
    package func encodeToString(_ value: some Encodable) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}

/// One value in the tree being built; containers hold slots so nested containers can fill them later.
final class JSONSlot {
    enum Value {
        case null, bool(Bool), number(String), string(String)
        case object(keys: [String], slots: [String: JSONSlot])
        case array([JSONSlot])
    }

    var value: Value = .null

    func put(_ value: some Encodable, codingPath: [any CodingKey]) throws {
        switch value {
        case let v as String: self.value = .string(v)
        case let v as Bool: self.value = .bool(v)
        case let v as any BinaryInteger: self.value = .number(String(describing: v))
        case let v as Double: try putDouble(v, codingPath: codingPath)
        case let v as Float: try putDouble(Double(v), codingPath: codingPath)
        default: try value.encode(to: OrderedEncoder(slot: self, codingPath: codingPath))
        }
    }

    private func putDouble(_ v: Double, codingPath: [any CodingKey]) throws {
        guard v.isFinite else {
            throw EncodingError.invalidValue(v, .init(codingPath: codingPath, debugDescription: "JSON has no \(v)"))
        }
        value = .number(v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v))
    }

    /// The slot for `key` in this object (made an object if it is not one yet).
    func child(_ key: String) -> JSONSlot {
        var (keys, slots): ([String], [String: JSONSlot]) = ([], [:])
        if case let .object(k, s) = value { (keys, slots) = (k, s) }
        if let existing = slots[key] { return existing }
        let slot = JSONSlot()
        keys.append(key)
        slots[key] = slot
        value = .object(keys: keys, slots: slots)
        return slot
    }

    func makeObject() {
        if case .object = value { return }
        value = .object(keys: [], slots: [:])
    }

    /// A new last element of this array (made an array if it is not one yet).
    func appended() -> JSONSlot {
        var elements: [JSONSlot] = []
        if case let .array(e) = value { elements = e }
        let slot = JSONSlot()
        elements.append(slot)
        value = .array(elements)
        return slot
    }

    var count: Int {
        if case let .array(e) = value { return e.count }
        return 0
    }

    func write(to out: inout [UInt8]) {
        switch value {
        case .null: out += "null".utf8
        case let .bool(b): out += (b ? "true" : "false").utf8
        case let .number(n): out += n.utf8
        case let .string(s): Self.writeString(s, to: &out)
        case let .object(keys, slots):
            out.append(UInt8(ascii: "{"))
            for (i, key) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                slots[key]!.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let .array(elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                element.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// RFC 8259 §7: quote, backslash and control characters escaped; everything else as UTF-8.
    static func writeString(_ s: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += #"\""#.utf8
            case UInt8(ascii: "\\"): out += #"\\"#.utf8
            case 0x0A: out += #"\n"#.utf8
            case 0x0D: out += #"\r"#.utf8
            case 0x09: out += #"\t"#.utf8
            case 0..<0x20: out += #"\u00"#.utf8; out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
