import JSON

/// A pool's `members`: strings or objects, checked for syntax, duplicates and emptiness.
extension RoutesDecoder {
    static let memberKeys = ["number", "name", "weight", "enabled", "hours"]
    static let weightRange = 1...1000

    mutating func decodeMembers(_ value: JSONValue, pool: String, at path: JSONPath) -> [Member] {
        // (`pool` is passed on for the members' shifts.)
        guard case .array(let elements) = value.kind else {
            report(path, value.position, "expected an array of members, found \(value.typeDescription)")
            incompletePools.insert(pool)
            return []
        }
        guard !elements.isEmpty else {
            report(path, value.position, "the pool has no members")
            return []
        }
        var members: [Member] = []
        var firstIndex: [String: Int] = [:]
        for (index, element) in elements.enumerated() {
            let memberPath = path.index(index)
            guard let member = decodeMember(element, pool: pool, at: memberPath) else {
                incompletePools.insert(pool)
                continue
            }
            let identity = Address.identity(member.address)
            if let first = firstIndex[identity] {
                report(memberPath, element.position, "duplicate member \"\(member.address)\" (also members[\(first)])")
                continue
            }
            firstIndex[identity] = index
            members.append(member)
            memberSites.append(MemberSite(pool: pool, address: member.address, path: memberPath, position: element.position))
        }
        if !incompletePools.contains(pool) && !members.contains(where: \.enabled) {
            report(path, value.position, "no member is enabled")
        }
        return members
    }

    /// `"+15551234567"`, `"sip:..."`, or `{ "number", "name", "weight", "enabled", "hours" }`.
    private mutating func decodeMember(_ value: JSONValue, pool: String, at path: JSONPath) -> Member? {
        switch value.kind {
        case .string(let text):
            return address(text, at: path, position: value.position).map { Member(address: $0) }
        case .object:
            guard let fields = fields(value, at: path, known: Self.memberKeys),
                  let numberValue = required("number", in: fields, of: value, at: path),
                  let text = string(numberValue, at: path.key("number")) else { return nil }
            guard let address = address(text, at: path.key("number"), position: numberValue.position) else { return nil }
            var member = Member(address: address)
            member.name = string(fields["name"], at: path.key("name"))
            member.enabled = bool(fields["enabled"], at: path.key("enabled")) ?? true
            if let hours = fields["hours"], hours.kind != .null {
                member.hours = decodeHours(hours, pool: pool, at: path.key("hours"), shift: true)
            }
            if let weightValue = fields["weight"], weightValue.kind != .null {
                guard let weight = integer(weightValue, at: path.key("weight"), in: Self.weightRange) else { return nil }
                member.weight = weight
            }
            return member
        default:
            report(path, value.position,
                   "expected a number, a sip: URI or an object with \"number\", found \(value.typeDescription)")
            return nil
        }
    }

    private mutating func address(_ text: String, at path: JSONPath, position: JSONPosition) -> String? {
        if Address.isE164(text) || Address.isSIP(text) { return text }
        report(path, position, "\"\(text)\" is not an E.164 number or sip: URI\(Self.e164Hint(text))")
        return nil
    }
}
