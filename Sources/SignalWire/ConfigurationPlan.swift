/// What auto-configuration will change: for each routed number the project owns, only the handler
/// fields that differ from pointing at the public URL. Numbers routes.json does not name are never
/// touched; routed numbers the project does not own are reported. Pure: no I/O.
package struct ConfigurationPlan: Sendable, Equatable, CustomStringConvertible {
    /// One number to update.
    package struct Change: Sendable, Equatable {
        package var number: PhoneNumber
        package var update: PhoneNumberUpdate

        /// What the update will overwrite: each field it sets, with the value it has now (nil: empty).
        package var previous: [String: String?] {
            Dictionary(uniqueKeysWithValues: update.fields.map { ($0.name, number.handlerValue(named: $0.name)) })
        }
    }

    /// The public URL, trailing slashes removed.
    package let publicURL: String
    /// Numbers to update, by number.
    package let changes: [Change]
    /// Routed numbers already pointing here.
    package let unchanged: [PhoneNumber]
    /// Routed numbers the project does not own.
    package let notOwned: [String]

    package init(owned: [PhoneNumber], routed: [RoutedNumber], publicURL: String) {
        self.publicURL = DesiredHandlers.base(publicURL)
        var byNumber: [String: PhoneNumber] = [:]
        for number in owned where byNumber[number.number] == nil { byNumber[number.number] = number }
        var channels: [String: (voice: Bool, sms: Bool)] = [:]
        for route in routed {
            let old = channels[route.number] ?? (false, false)
            channels[route.number] = (old.voice || route.voice, old.sms || route.sms)
        }
        var changes: [Change] = []
        var unchanged: [PhoneNumber] = []
        var notOwned: [String] = []
        for number in channels.keys.sorted() {
            let want = channels[number]!
            guard let owned = byNumber[number] else {
                notOwned.append(number)
                continue
            }
            let update = DesiredHandlers.update(for: owned, voice: want.voice, sms: want.sms, publicURL: self.publicURL)
            if update.isEmpty { unchanged.append(owned) } else { changes.append(Change(number: owned, update: update)) }
        }
        self.changes = changes
        self.unchanged = unchanged
        self.notOwned = notOwned
    }

    /// True when nothing needs to change.
    package var isEmpty: Bool { changes.isEmpty }

    /// The plan for `switchboard numbers configure --dry-run`; passwords in URLs show as `***`.
    package var description: String {
        var lines = ["Phone numbers for \(SignatureURL.redactingPassword(publicURL)):"]
        for change in changes {
            let fields = change.update.fields.map { field in
                let current = Self.current(change.number, field.name).map(SignatureURL.redactingPassword) ?? "(none)"
                return "\(field.name): \(current) -> \(SignatureURL.redactingPassword(field.value))"
            }
            lines.append("  \(change.number.number)  update  " + fields.joined(separator: ", "))
        }
        for number in unchanged { lines.append("  \(number.number)  ok (already points here)") }
        for number in notOwned { lines.append("  \(number)  not owned by this project (check routes.json)") }
        lines.append("\(changes.count) to update, \(unchanged.count) already pointing here, \(notOwned.count) not owned")
        return lines.joined(separator: "\n")
    }

    static func current(_ number: PhoneNumber, _ field: String) -> String? {
        switch field {
        case "call_handler": number.callHandler
        case "call_relay_script_url": number.callRelayScriptURL
        case "message_handler": number.messageHandler
        case "message_request_url": number.messageRequestURL
        case "message_request_method": number.messageRequestMethod
        default: nil
        }
    }
}
