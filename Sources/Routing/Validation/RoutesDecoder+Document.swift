import FoundationEssentials
import JSON

/// The top level of routes.json and the number routes (`numbers` and `default`).
extension RoutesDecoder {
    static let rootKeys = ["numbers", "pools", "default"]
    static let numberRouteKeys = ["voice", "sms", "greeting"]

    mutating func decodeDocument(_ root: JSONValue) -> Routes {
        var routes = Routes()
        guard let fields = fields(root, at: .root, known: Self.rootKeys) else { return routes }
        if let pools = required("pools", in: fields, of: root, at: .root) {
            routes.pools = decodePools(pools, at: JSONPath.root.key("pools"))
        }
        if let numbers = fields["numbers"], numbers.kind != .null {
            routes.numbers = decodeNumbers(numbers, at: JSONPath.root.key("numbers"))
        }
        if let fallback = fields["default"], fallback.kind != .null {
            routes.defaultRoute = decodeNumberRoute(fallback, at: JSONPath.root.key("default"))
        }
        if !Self.isNonEmpty(fields["numbers"]) && !Self.isNonEmpty(fields["default"]) {
            report(.root, root.position, "nothing is routed: add \"numbers\" or \"default\"")
        }
        return routes
    }

    private mutating func decodePools(_ value: JSONValue, at path: JSONPath) -> [String: Pool] {
        guard let entries = entries(value, at: path) else { return [:] }
        if entries.isEmpty {
            report(path, value.position, "no pools: define at least one")
        }
        poolNames = entries.map(\.key)
        var pools: [String: Pool] = [:]
        for entry in entries {
            let poolPath = path.key(entry.key)
            if Self.isBlank(entry.key)
                || entry.key.count > 64
                || entry.key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                report(poolPath, entry.keyPosition, "a pool name must be 1 to 64 characters without control characters")
            }
            pools[entry.key] = decodePool(named: entry.key, entry.value, at: poolPath)
        }
        return pools
    }

    private mutating func decodeNumbers(_ value: JSONValue, at path: JSONPath) -> [String: NumberRoute] {
        guard let entries = entries(value, at: path) else { return [:] }
        var numbers: [String: NumberRoute] = [:]
        for entry in entries {
            let numberPath = path.key(entry.key)
            if !Address.isE164(entry.key) {
                report(numberPath, entry.keyPosition,
                       "\"\(entry.key)\" is not an E.164 number\(Self.e164Hint(entry.key)); "
                       + "numbers keys are your own numbers, like \"+15550000001\"")
            }
            if let route = decodeNumberRoute(entry.value, at: numberPath) {
                numbers[entry.key] = route
            }
        }
        return numbers
    }

    mutating func decodeNumberRoute(_ value: JSONValue, at path: JSONPath) -> NumberRoute? {
        guard let fields = fields(value, at: path, known: Self.numberRouteKeys) else { return nil }
        var route = NumberRoute()
        for channel in Channel.allCases {
            let channelPath = path.key(channel.rawValue)
            guard let value = fields[channel.rawValue], let name = string(value, at: channelPath) else { continue }
            references.append(PoolReference(pool: name, use: channel == .voice ? .voice : .sms,
                                             path: channelPath, position: value.position))
            switch channel {
            case .voice: route.voice = name
            case .sms: route.sms = name
            }
        }
        route.greeting = string(fields["greeting"], at: path.key("greeting"))
        return route
    }

    /// Present, not null, and not an empty object.
    private static func isNonEmpty(_ value: JSONValue?) -> Bool {
        switch value?.kind {
        case nil, .null: false
        case .object(let members): !members.isEmpty
        default: true
        }
    }

    /// ` (write it as "+15551234567")` when removing spaces, dashes, dots and parentheses fixes it.
    static func e164Hint(_ text: String) -> String {
        let squeezed = String(text.filter { !" -.()".contains($0) })
        return squeezed != text && Address.isE164(squeezed) ? " (write it as \"\(squeezed)\")" : ""
    }
}
