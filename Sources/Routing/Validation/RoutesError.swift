import FoundationEssentials
import JSON

/// Everything wrong with a routes.json document: every problem, not just the first.
package struct RoutesError: Error, Sendable, Equatable, CustomStringConvertible {
    package var problems: [RoutesProblem]
    /// The file name used in messages (`routes.json` unless the loader was told otherwise).
    package var file: String

    package init(problems: [RoutesProblem], file: String = "routes.json") {
        self.problems = problems
        self.file = file
    }

    /// One line per problem.
    package var description: String {
        problems.map { $0.formatted(file: file) }.joined(separator: "\n")
    }
}

/// One problem in routes.json: where (a JSON path like `pools.sales.members[2]`, and the line and
/// column when known) and what.
package struct RoutesProblem: Sendable, Equatable, CustomStringConvertible {
    /// Empty for problems with the document as a whole, such as syntax errors.
    package var path: String
    package var line: Int?
    package var column: Int?
    package var message: String

    package init(path: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    init(path: JSONPath, at position: JSONPosition?, _ message: String) {
        self.init(path: path.description, line: position?.line, column: position?.column, message: message)
    }

    /// `routes.json:3:17: expected ',' or '}'` for the whole document,
    /// `pools.sales.members[2]: "+1555" is not an E.164 number or sip: URI (line 7, column 9)` otherwise.
    package func formatted(file: String) -> String {
        if path.isEmpty {
            if let line, let column { return "\(file):\(line):\(column): \(message)" }
            return "\(file): \(message)"
        }
        if let line, let column { return "\(path): \(message) (line \(line), column \(column))" }
        return "\(path): \(message)"
    }

    package var description: String { formatted(file: "routes.json") }
}

/// A JSON path for messages: `pools.sales.members[2]`; keys that are not plain words are bracketed
/// (`pools["my pool"]`).
struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    let description: String

    static let root = JSONPath(description: "")

    func key(_ key: String) -> JSONPath {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || (48...57).contains(scalar.value) || "_+-".unicodeScalars.contains(scalar)
        }
        if plain {
            return JSONPath(description: description.isEmpty ? key : description + "." + key)
        }
        var escaped = String.UnicodeScalarView()
        for scalar in key.unicodeScalars {
            if scalar == "\\" || scalar == "\"" { escaped.append("\\") }
            escaped.append(scalar)
        }
        return JSONPath(description: description + "[\"" + String(escaped) + "\"]")
    }

    func index(_ index: Int) -> JSONPath {
        JSONPath(description: description + "[\(index)]")
    }
}
