import ArgumentParser
import FoundationEssentials
import Glibc
import Platform
import Switchboard

/// Writes `text` to standard error as it is (no newline added).
func writeStandardError(_ text: String) {
    var text = text
    _ = text.withUTF8 { writeFully(STDERR_FILENO, UnsafeRawBufferPointer($0)) }
}

/// A command that cannot go on (no credentials, no database): ArgumentParser prints it as one line,
/// `Error: ...`, and exits 1, without the usage text it shows for a mistyped command line.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The flags commands share with `serve`: which routes.json, public URL and database; the rest of
/// the configuration (credentials, signing key) from the environment, as `serve` reads it.
struct ConfigOptions: ParsableArguments {
    @Option(help: "routes.json. Env: SWITCHBOARD_ROUTES.")
    var routes: String?

    @Option(name: .customLong("public-url"), help: "The URL SignalWire calls. Env: SWITCHBOARD_PUBLIC_URL.")
    var publicURL: String?

    @Option(help: "The SQLite database file or a postgresql:// URL (recent failures, kept handlers, pauses). Env: SWITCHBOARD_DB.")
    var db: String?

    func resolve() throws -> ServeConfig {
        var flags = ServeConfig.Flags()
        flags.routes = routes
        flags.publicURL = publicURL
        flags.db = db
        return try ServeConfig.resolve(flags, environment: ProcessInfo.processInfo.environment)
    }
}

/// Any JSON document, to print one again with sorted keys and indentation.
enum AnyJSON: Codable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([AnyJSON])
    case object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([AnyJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: AnyJSON].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// `json` indented, keys sorted, slashes left alone.
    static func pretty(_ json: [UInt8]) throws -> String {
        let value = try JSONDecoder().decode(AnyJSON.self, from: Data(json))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
