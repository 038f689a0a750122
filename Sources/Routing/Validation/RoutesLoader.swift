import JSON

/// Parses and validates routes.json bytes. Pure: the caller reads the file and gives the time zones.
package enum RoutesLoader {
    /// The routes, or every problem found: a syntax error (with line:column), or all validation
    /// problems at once, in document order. `file` only names the document in messages; `zones`
    /// answers the names of `hours.timezone`.
    package static func load(_ bytes: [UInt8], file: String = "routes.json", zones: any ZoneSource) -> Result<Routes, RoutesError> {
        let isBlank = bytes.allSatisfy { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if isBlank {
            return .failure(RoutesError(problems: [RoutesProblem(path: "", message: "the file is empty")], file: file))
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            let problem = RoutesProblem(path: "", line: error.position.line, column: error.position.column,
                                        message: error.message)
            return .failure(RoutesError(problems: [problem], file: file))
        }
        var decoder = RoutesDecoder(zones: zones)
        let routes = decoder.decodeDocument(root)
        decoder.checkReferences(routes)
        guard decoder.problems.isEmpty else {
            return .failure(RoutesError(problems: sortedByPosition(decoder.problems), file: file))
        }
        return .success(routes)
    }

    /// Stable sort by line and column; problems without a position go last.
    private static func sortedByPosition(_ problems: [RoutesProblem]) -> [RoutesProblem] {
        problems.enumerated().sorted { lhs, rhs in
            let left = (lhs.element.line ?? .max, lhs.element.column ?? .max, lhs.offset)
            let right = (rhs.element.line ?? .max, rhs.element.column ?? .max, rhs.offset)
            return left < right
        }.map(\.element)
    }
}
