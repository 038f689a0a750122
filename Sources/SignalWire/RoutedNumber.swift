import FoundationEssentials
import Platform

/// A number routes.json routes, and on which channels.
package struct RoutedNumber: Sendable, Equatable {
    /// E.164, as the project owns it.
    package var number: String
    package var voice: Bool
    package var sms: Bool

    package init(number: String, voice: Bool, sms: Bool) {
        self.number = number
        self.voice = voice
        self.sms = sms
    }
}

/// The handler fields that point a number at this daemon.
package enum DesiredHandlers {
    package static let callHandler = "relay_script"
    package static let messageHandler = "laml_webhooks"
    package static let messageRequestMethod = "POST"

    /// The public URL without trailing slashes.
    package static func base(_ publicURL: String) -> String {
        var url = publicURL.trimmingWhitespace()
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// `PUBLIC/voice`.
    package static func voiceURL(_ publicURL: String) -> String { base(publicURL) + "/voice" }
    /// `PUBLIC/sms`.
    package static func smsURL(_ publicURL: String) -> String { base(publicURL) + "/sms" }

    /// The fields of `number` that differ from what `voice` and `sms` routing needs.
    package static func update(for number: PhoneNumber, voice: Bool, sms: Bool, publicURL: String) -> PhoneNumberUpdate {
        var update = PhoneNumberUpdate()
        if voice {
            if number.callHandler != callHandler { update.callHandler = callHandler }
            let url = voiceURL(publicURL)
            if number.callRelayScriptURL != url { update.callRelayScriptURL = url }
        }
        if sms {
            if number.messageHandler != messageHandler { update.messageHandler = messageHandler }
            let url = smsURL(publicURL)
            if number.messageRequestURL != url { update.messageRequestURL = url }
            if number.messageRequestMethod?.uppercased() != messageRequestMethod {
                update.messageRequestMethod = messageRequestMethod
            }
        }
        return update
    }
}

extension PhoneNumber {
    /// Whether calls and messages to this number already come to `publicURL`.
    package func pointsHere(publicURL: String) -> (voice: Bool, sms: Bool) {
        (
            voice: DesiredHandlers.update(for: self, voice: true, sms: false, publicURL: publicURL).isEmpty,
            sms: DesiredHandlers.update(for: self, voice: false, sms: true, publicURL: publicURL).isEmpty
        )
    }
}
