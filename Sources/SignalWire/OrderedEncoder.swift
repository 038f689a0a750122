/// The `Encoder` behind `OrderedJSONEncoder`: each container writes into a `JSONSlot`.
struct OrderedEncoder: Encoder {
    let slot: JSONSlot
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.makeObject()
        return KeyedEncodingContainer(OrderedKeyedContainer<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = slot.value {} else { slot.value = .array([]) }
        return OrderedUnkeyedContainer(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        OrderedSingleValueContainer(slot: slot, codingPath: codingPath)
    }
}

struct OrderedKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: JSONSlot
    var codingPath: [any CodingKey]

    private func put(_ value: some Encodable, _ key: Key) throws {
        try slot.child(key.stringValue).put(value, codingPath: codingPath + [key])
    }

    mutating func encodeNil(forKey key: Key) throws { slot.child(key.stringValue).value = .null }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try put(value, key) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        OrderedEncoder(slot: slot.child(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        OrderedEncoder(slot: slot.child(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        OrderedEncoder(slot: slot.child("super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        OrderedEncoder(slot: slot.child(key.stringValue), codingPath: codingPath + [key])
    }
}

struct OrderedUnkeyedContainer: UnkeyedEncodingContainer {
    let slot: JSONSlot
    var codingPath: [any CodingKey]
    var count: Int { slot.count }

    private struct Index: CodingKey {
        var stringValue: String { String(intValue!) }
        var intValue: Int?
        init(_ i: Int) { intValue = i }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    private var nextPath: [any CodingKey] { codingPath + [Index(count)] }

    mutating func encodeNil() throws { slot.appended().value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = nextPath
        try slot.appended().put(value, codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        return OrderedEncoder(slot: slot.appended(), codingPath: path).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        return OrderedEncoder(slot: slot.appended(), codingPath: path).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let path = nextPath
        return OrderedEncoder(slot: slot.appended(), codingPath: path)
    }
}

struct OrderedSingleValueContainer: SingleValueEncodingContainer {
    let slot: JSONSlot
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { try slot.put(value, codingPath: codingPath) }
}
