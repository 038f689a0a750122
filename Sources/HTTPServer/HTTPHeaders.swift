#if canImport(Platform)  // the fuzz harnesses compile Platform's Text.swift in with this file
import Platform
#endif

/// Header fields in the order received. Lookups ignore ASCII case, as RFC 9110 §5.1 says.
package struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    package private(set) var fields: [(name: String, value: String)]

    package init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    package init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The first value of `name`, or nil.
    package subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// Every value of `name`, in order.
    package func values(_ name: String) -> [String] {
        var values: [String] = []
        for field in fields where field.name.caseInsensitiveEquals(name) { values.append(field.value) }
        return values
    }

    mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
    }

    package mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field called `name` with one.
    package mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    package mutating func remove(_ name: String) {
        fields.removeAll { $0.name.caseInsensitiveEquals(name) }
    }

    package var count: Int { fields.count }

    package func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    package static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}

extension String {
    /// ASCII case-insensitive comparison, without allocating.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        // Header names mostly differ in length: no byte needs reading then.
        guard utf8.count == other.utf8.count else { return false }
        return withUTF8Bytes { a in
            other.withUTF8Bytes { b in
                for i in a.indices where a[i] != b[i] && !Self.sameLetter(a[i], b[i]) { return false }
                return true
            }
        }
    }

    /// The same ASCII letter in either case.
    private static func sameLetter(_ x: UInt8, _ y: UInt8) -> Bool {
        let lower = x | 0x20
        return lower == y | 0x20 && lower >= 0x61 && lower <= 0x7A
    }
}
