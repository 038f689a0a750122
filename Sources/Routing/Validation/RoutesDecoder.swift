import FoundationEssentials
import JSON

/// Turns a parsed routes.json tree into `Routes`, collecting every problem on the way.
///
/// Decoding is best effort: a bad field is reported and replaced by its default so the rest of the
/// document is still checked. The result is only used when no problem was found.
struct RoutesDecoder {
    /// Where `hours.timezone` names are looked up.
    let zones: any ZoneSource
    var problems: [RoutesProblem] = []
    /// Every place a pool is named, checked once all pools are known.
    var references: [PoolReference] = []
    /// All keys of `pools`, valid or not, so a bad pool does not also cause "no pool named" errors.
    var poolNames: [String] = []
    /// Pools with a member that failed to decode: member-count checks would be misleading.
    var incompletePools: Set<String> = []
    /// Where each decoded member was written, for the checks that need the whole document.
    var memberSites: [MemberSite] = []

    /// A pool name used somewhere, and what for.
    struct PoolReference {
        enum Use: Equatable {
            case voice
            case sms
            case overflow(from: String)
            case closed(from: String)
        }
        var pool: String
        var use: Use
        var path: JSONPath
        var position: JSONPosition
    }

    struct MemberSite {
        var pool: String
        var address: String
        var path: JSONPath
        var position: JSONPosition
    }

    mutating func report(_ path: JSONPath, _ position: JSONPosition?, _ message: String) {
        problems.append(RoutesProblem(path: path, at: position, message))
    }

    /// The members of an object, first occurrence of each key; reports a wrong type and duplicate keys.
    mutating func entries(_ value: JSONValue, at path: JSONPath) -> [JSONMember]? {
        guard case .object(let members) = value.kind else {
            report(path, value.position, "expected an object, found \(value.typeDescription)")
            return nil
        }
        var firstPosition: [String: JSONPosition] = [:]
        var unique: [JSONMember] = []
        for member in members {
            if let first = firstPosition[member.key] {
                report(path.key(member.key), member.keyPosition, "duplicate key \"\(member.key)\" (first at \(first))")
            } else {
                firstPosition[member.key] = member.keyPosition
                unique.append(member)
            }
        }
        return unique
    }

    /// An object's fields by key; also reports keys not in `known`, suggesting the closest known one.
    mutating func fields(_ value: JSONValue, at path: JSONPath, known: [String]) -> [String: JSONValue]? {
        guard let members = entries(value, at: path) else { return nil }
        var result: [String: JSONValue] = [:]
        for member in members {
            if known.contains(member.key) {
                result[member.key] = member.value
            } else if let guess = KeySuggestion.closest(to: member.key, among: known) {
                report(path.key(member.key), member.keyPosition, "unknown key \"\(member.key)\"; did you mean \"\(guess)\"?")
            } else {
                report(path.key(member.key), member.keyPosition,
                       "unknown key \"\(member.key)\"; known keys: \(known.joined(separator: ", "))")
            }
        }
        return result
    }

    /// A required field: reports it missing (or null) at the enclosing object.
    mutating func required(_ key: String, in fields: [String: JSONValue], of parent: JSONValue, at path: JSONPath) -> JSONValue? {
        guard let value = fields[key], value.kind != .null else {
            report(path, parent.position, "missing \"\(key)\"")
            return nil
        }
        return value
    }

    /// Empty, or only spaces and tabs.
    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
    }

    // MARK: Typed values. nil (or JSON null) means absent; a wrong type is reported and also gives nil.

    mutating func string(_ value: JSONValue?, at path: JSONPath) -> String? {
        guard let value, value.kind != .null else { return nil }
        guard case .string(let text) = value.kind else {
            report(path, value.position, "expected a string, found \(value.typeDescription)")
            return nil
        }
        if Self.isBlank(text) {
            report(path, value.position, "must not be empty")
            return nil
        }
        return text
    }

    mutating func bool(_ value: JSONValue?, at path: JSONPath) -> Bool? {
        guard let value, value.kind != .null else { return nil }
        guard case .bool(let flag) = value.kind else {
            report(path, value.position, "expected true or false, found \(value.typeDescription)")
            return nil
        }
        return flag
    }

    /// A whole number within `range`; `unit` names it in messages ("seconds").
    mutating func integer(_ value: JSONValue?, at path: JSONPath, in range: ClosedRange<Int>, unit: String = "") -> Int? {
        guard let value, value.kind != .null else { return nil }
        guard case .number(let number) = value.kind else {
            report(path, value.position, "expected a number, found \(value.typeDescription)")
            return nil
        }
        let suffix = unit.isEmpty ? "" : " " + unit
        guard let whole = Int(exactly: number) else {
            report(path, value.position, "expected a whole number\(unit.isEmpty ? "" : " of " + unit), found \(number)")
            return nil
        }
        guard range.contains(whole) else {
            report(path, value.position, "must be between \(range.lowerBound) and \(range.upperBound)\(suffix), found \(whole)")
            return nil
        }
        return whole
    }
}
