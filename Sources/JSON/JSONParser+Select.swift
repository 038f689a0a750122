/// A scalar picked out of a JSON document by `JSONParser.select`.
package enum JSONScalar: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
}

/// Paths of object keys to select from JSON documents (see `JSONParser.select`), prepared once.
package struct JSONPaths: Sendable {
    package let paths: [[String]]
    let keys: [[[UInt8]]]
    /// `endingAt[n]`: the paths of `n` keys, as a set of bits (path `i` is bit `i`).
    let endingAt: [UInt64]
    let all: UInt64

    /// At most 64 paths, none empty.
    package init(_ paths: [[String]]) {
        precondition(paths.count <= 64 && paths.allSatisfy { !$0.isEmpty }, "at most 64 paths, none empty")
        self.paths = paths
        keys = paths.map { $0.map { Array($0.utf8) } }
        var endingAt = [UInt64](repeating: 0, count: (paths.map(\.count).max() ?? 0) + 1)
        for (i, path) in paths.enumerated() { endingAt[path.count] |= 1 << UInt64(i) }
        self.endingAt = endingAt
        all = endingAt.reduce(0, |)
    }

    func ending(at level: Int) -> UInt64 {
        level < endingAt.count ? endingAt[level] : 0
    }
}

/// What `JSONParser.select` found.
package struct JSONSelection: Sendable, Equatable {
    /// Whether the document's value is an object.
    package var isObject: Bool
    /// One per path asked for: nil where the path is absent or leads to an array or an object.
    package var values: [JSONScalar?]
}

extension JSONParser {
    /// The scalars at `paths` (object keys from the top) of one JSON document, for a webhook that
    /// reads a few fields of a larger body. The whole document is checked as `parse` checks it (the
    /// same inputs throw), but only the values asked for are decoded: no tree is built and no
    /// position is counted unless an error needs one. Where a key repeats, its first member counts,
    /// as with `JSONValue[key]`. At most 64 paths, none empty.
    package static func select(_ paths: JSONPaths, in bytes: [UInt8]) throws(JSONSyntaxError) -> JSONSelection {
        var selection = Selection(paths: paths, values: [JSONScalar?](repeating: nil, count: paths.paths.count))
        var parser = JSONParser(bytes: bytes)
        parser.startDocument()
        let isObject = parser.peek() == UInt8(ascii: "{")
        try parser.select(&selection, level: 0, continuing: isObject ? paths.all : 0, ending: 0)
        try parser.endDocument()
        return JSONSelection(isObject: isObject, values: selection.values)
    }

    package static func select(_ paths: [[String]], in bytes: [UInt8]) throws(JSONSyntaxError) -> JSONSelection {
        try select(JSONPaths(paths), in: bytes)
    }

    /// The paths, and what was found so far.
    struct Selection {
        let paths: JSONPaths
        var values: [JSONScalar?]

        mutating func set(_ found: UInt64, _ value: JSONScalar) {
            var rest = found
            while rest != 0 {
                values[rest.trailingZeroBitCount] = value
                rest &= rest - 1
            }
        }
    }

    /// One value, `level` keys deep: objects are searched for the `continuing` paths, and a scalar is
    /// kept for the `ending` ones; everything else is only checked.
    private mutating func select(_ selection: inout Selection, level: Int, continuing: UInt64, ending: UInt64) throws(JSONSyntaxError) {
        guard let byte = peek() else { throw unexpected("a value") }
        switch byte {
        case UInt8(ascii: "{"):
            try selectObject(&selection, level: level, continuing: continuing)
        case UInt8(ascii: "["):
            try enterContainer()
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                offset += 1
            } else {
                repeat {
                    skipWhitespace()
                    try select(&selection, level: level + 1, continuing: 0, ending: 0)
                    skipWhitespace()
                } while try !endOfContainer(closer: UInt8(ascii: "]"))
            }
            depth -= 1
        case UInt8(ascii: "\""):
            if let plain = plainString() {
                if ending != 0 { selection.set(ending, .string(String(decoding: bytes[plain], as: UTF8.self))) }
            } else {
                let string = try parseEscapedString()
                if ending != 0 { selection.set(ending, .string(string)) }
            }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let number = try parseNumber()
            if ending != 0, case .number(let n) = number.kind { selection.set(ending, .number(n)) }
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            let word = try parseWord()
            if ending != 0 {
                switch word.kind {
                case .bool(let b): selection.set(ending, .bool(b))
                case .null: selection.set(ending, .null)
                default: break
                }
            }
        default:
            throw unexpected("a value")
        }
    }

    private mutating func selectObject(_ selection: inout Selection, level: Int, continuing: UInt64) throws(JSONSyntaxError) {
        try enterContainer()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            offset += 1
            depth -= 1
            return
        }
        // Paths whose key at this level was already seen: a repeated key's later members do not count.
        var claimed: UInt64 = 0
        repeat {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw unexpected("a string key in double quotes") }
            let matched = try matchKey(selection, level: level, candidates: continuing & ~claimed)
            claimed |= matched
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw unexpected("':' after the key") }
            offset += 1
            skipWhitespace()
            let ending = matched & selection.paths.ending(at: level + 1)
            try select(&selection, level: level + 1, continuing: matched & ~ending, ending: ending)
            skipWhitespace()
        } while try !endOfContainer(closer: UInt8(ascii: "}"))
        depth -= 1
    }

    /// Reads the key at `offset` and returns the `candidates` whose key at `level` it is.
    private mutating func matchKey(_ selection: Selection, level: Int, candidates: UInt64) throws(JSONSyntaxError) -> UInt64 {
        var matched: UInt64 = 0
        func match(_ key: some Collection<UInt8>) {
            var rest = candidates
            while rest != 0 {
                let i = rest.trailingZeroBitCount
                let wanted = selection.paths.keys[i][level]
                if wanted.count == key.count && wanted.elementsEqual(key) { matched |= 1 << UInt64(i) }
                rest &= rest - 1
            }
        }
        if let plain = plainString() {
            if candidates != 0 { match(bytes[plain]) }
        } else {
            let key = try parseEscapedString()
            if candidates != 0 { match(key.utf8) }
        }
        return matched
    }
}
