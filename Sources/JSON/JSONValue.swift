/// A position in a JSON document: 1-based line and column. Columns count Unicode scalars, so a
/// position matches what an editor shows for UTF-8 text.
package struct JSONPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var line: Int
    package var column: Int

    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    package static func < (lhs: JSONPosition, rhs: JSONPosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    /// `line:column`, e.g. `3:17`.
    package var description: String { "\(line):\(column)" }
}

/// A parsed JSON value with the position where it starts.
///
/// Objects keep their members in document order, duplicates included, so a validator can
/// report a repeated key instead of silently keeping one of them.
package struct JSONValue: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([JSONValue])
        case object([JSONMember])
    }

    package var kind: Kind
    package var position: JSONPosition

    package init(_ kind: Kind, at position: JSONPosition) {
        self.kind = kind
        self.position = position
    }

    /// The first member named `key` when this is an object.
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = kind else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// Members whose key already appeared earlier in the same object (empty for non-objects).
    package var duplicateMembers: [JSONMember] {
        guard case .object(let members) = kind else { return [] }
        var seen = Set<String>()
        return members.filter { !seen.insert($0.key).inserted }
    }

    /// The value's type with an article, for messages: "a string", "an object", "null".
    package var typeDescription: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// One `"key": value` pair of an object.
package struct JSONMember: Sendable, Equatable {
    package var key: String
    package var keyPosition: JSONPosition
    package var value: JSONValue

    package init(key: String, keyPosition: JSONPosition, value: JSONValue) {
        self.key = key
        self.keyPosition = keyPosition
        self.value = value
    }
}

/// A JSON syntax error at a position: printed as `line:column: message`.
package struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    package var position: JSONPosition
    package var message: String

    package init(_ message: String, at position: JSONPosition) {
        self.message = message
        self.position = position
    }

    package var description: String { "\(position): \(message)" }
}
