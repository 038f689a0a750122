import FoundationEssentials
import Platform

/// A number routes.json routes, and on which channels.
public struct RoutedNumber: Sendable, Equatable {
    /// E.164, as the project owns it.
    public var number: String
    public var voice: Bool
    public var sms: Bool

    public init(number: String, voice: Bool, sms: Bool) {
        self.number = number
        self.voice = voice
        self.sms = sms
    }
}

/// The handler fields that point a number at this daemon.
public enum DesiredHandlers {
    public static let callHandler = "relay_script"
    public static let messageHandler = "laml_webhooks"
    public static let messageRequestMethod = "POST"

    /// The public URL without trailing slashes.
    public static func base(_ publicURL: String) -> String {
        var url = publicURL.trimmingWhitespace()
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// `PUBLIC/voice`.
    public static func voiceURL(_ publicURL: String) -> String { base(publicURL) + "/voice" }
    /// `PUBLIC/sms`.
    public static func smsURL(_ publicURL: String) -> String { base(publicURL) + "/sms" }

    /// The fields of `number` that differ from what `voice` and `sms` routing needs.
    public static func update(for number: PhoneNumber, voice: Bool, sms: Bool, publicURL: String) -> PhoneNumberUpdate {
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
    public func pointsHere(publicURL: String) -> (voice: Bool, sms: Bool) {
        (
            voice: DesiredHandlers.update(for: self, voice: true, sms: false, publicURL: publicURL).isEmpty,
            sms: DesiredHandlers.update(for: self, voice: false, sms: true, publicURL: publicURL).isEmpty
        )
    }
}
