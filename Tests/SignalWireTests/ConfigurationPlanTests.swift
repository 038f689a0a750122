import Testing
@testable import SignalWire

@Suite struct ConfigurationPlanTests {
    static let publicURL = "https://sb.example.com/"

    static func configured(_ id: String, _ number: String) -> PhoneNumber {
        PhoneNumber(
            id: id, number: number, capabilities: ["voice", "sms"], callHandler: "relay_script",
            callRelayScriptURL: "https://sb.example.com/voice", messageHandler: "laml_webhooks",
            messageRequestURL: "https://sb.example.com/sms", messageRequestMethod: "POST"
        )
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var owned: PhoneNumber
        var voice: Bool
        var sms: Bool
        var expected: PhoneNumberUpdate
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let fresh = PhoneNumber(id: "n1", number: "+15550000001")
        var cxmlVoice = configured("n1", "+15550000001")
        cxmlVoice.callHandler = "laml_webhooks"
        var otherHost = configured("n1", "+15550000001")
        otherHost.callRelayScriptURL = "https://old.example.com/voice"
        otherHost.messageRequestURL = "https://old.example.com/sms"
        var getMethod = configured("n1", "+15550000001")
        getMethod.messageRequestMethod = "GET"
        var lowerPost = configured("n1", "+15550000001")
        lowerPost.messageRequestMethod = "post"
        let all = PhoneNumberUpdate(
            callHandler: "relay_script", callRelayScriptURL: "https://sb.example.com/voice",
            messageHandler: "laml_webhooks", messageRequestURL: "https://sb.example.com/sms", messageRequestMethod: "POST"
        )
        return [
            Case(name: "unconfigured, both channels", owned: fresh, voice: true, sms: true, expected: all),
            Case(name: "unconfigured, voice only", owned: fresh, voice: true, sms: false,
                 expected: PhoneNumberUpdate(callHandler: "relay_script", callRelayScriptURL: "https://sb.example.com/voice")),
            Case(name: "unconfigured, sms only", owned: fresh, voice: false, sms: true,
                 expected: PhoneNumberUpdate(messageHandler: "laml_webhooks", messageRequestURL: "https://sb.example.com/sms",
                                             messageRequestMethod: "POST")),
            Case(name: "already right", owned: configured("n1", "+15550000001"), voice: true, sms: true, expected: PhoneNumberUpdate()),
            Case(name: "cXML voice handler", owned: cxmlVoice, voice: true, sms: true,
                 expected: PhoneNumberUpdate(callHandler: "relay_script")),
            Case(name: "cXML voice handler, sms only routed", owned: cxmlVoice, voice: false, sms: true, expected: PhoneNumberUpdate()),
            Case(name: "old host", owned: otherHost, voice: true, sms: true,
                 expected: PhoneNumberUpdate(callRelayScriptURL: "https://sb.example.com/voice", messageRequestURL: "https://sb.example.com/sms")),
            Case(name: "GET method", owned: getMethod, voice: true, sms: true, expected: PhoneNumberUpdate(messageRequestMethod: "POST")),
            Case(name: "lower-case post", owned: lowerPost, voice: true, sms: true, expected: PhoneNumberUpdate()),
        ]
    }()

    @Test(arguments: cases)
    func onlyDifferingFieldsChange(_ c: Case) {
        let plan = ConfigurationPlan(owned: [c.owned], routed: [RoutedNumber(number: c.owned.number, voice: c.voice, sms: c.sms)],
                                     publicURL: Self.publicURL)
        if c.expected.isEmpty {
            #expect(plan.changes.isEmpty)
            #expect(plan.unchanged == [c.owned])
        } else {
            #expect(plan.changes == [ConfigurationPlan.Change(number: c.owned, update: c.expected)])
            #expect(plan.unchanged.isEmpty)
        }
        #expect(plan.notOwned.isEmpty)
    }

    @Test func notOwnedAndNotRoutedNumbers() {
        let owned = [
            PhoneNumber(id: "a", number: "+15550000002"),
            Self.configured("b", "+15550000001"),
            PhoneNumber(id: "c", number: "+15559999999", callHandler: "ai_agent"),
        ]
        let routed = [
            RoutedNumber(number: "+15550000002", voice: true, sms: false),
            RoutedNumber(number: "+15550000001", voice: true, sms: true),
            RoutedNumber(number: "+15557777777", voice: true, sms: true),
            RoutedNumber(number: "+15550000002", voice: false, sms: true),
        ]
        let plan = ConfigurationPlan(owned: owned, routed: routed, publicURL: "https://sb.example.com///")
        #expect(plan.publicURL == "https://sb.example.com")
        #expect(plan.changes.map(\.number.id) == ["a"])
        #expect(plan.changes[0].update.fields.map(\.name) == [
            "call_handler", "call_relay_script_url", "message_handler", "message_request_url", "message_request_method",
        ])
        #expect(plan.unchanged.map(\.id) == ["b"])
        #expect(plan.notOwned == ["+15557777777"])
        // "+15559999999" is not routed: never mentioned.
        #expect(!plan.description.contains("+15559999999"))
        #expect(plan.description == """
        Phone numbers for https://sb.example.com:
          +15550000002  update  call_handler: (none) -> relay_script, call_relay_script_url: (none) -> https://sb.example.com/voice, \
        message_handler: (none) -> laml_webhooks, message_request_url: (none) -> https://sb.example.com/sms, \
        message_request_method: (none) -> POST
          +15550000001  ok (already points here)
          +15557777777  not owned by this project (check routes.json)
        1 to update, 1 already pointing here, 1 not owned
        """)
    }

    @Test func credentialsInThePublicURLAreKept() {
        let plan = ConfigurationPlan(owned: [PhoneNumber(id: "a", number: "+1")], routed: [RoutedNumber(number: "+1", voice: true, sms: false)],
                                     publicURL: "https://sw:pa55@sb.example.com/prefix/")
        #expect(plan.changes.first?.update.callRelayScriptURL == "https://sw:pa55@sb.example.com/prefix/voice")
        #expect(!plan.description.contains("pa55"))
        #expect(plan.description.contains("https://sw:***@sb.example.com/prefix/voice"))
    }

    @Test func pointsHere() {
        let number = Self.configured("b", "+15550000001")
        #expect(number.pointsHere(publicURL: "https://sb.example.com") == (voice: true, sms: true))
        #expect(number.pointsHere(publicURL: "https://sb.example.com/") == (voice: true, sms: true))
        #expect(number.pointsHere(publicURL: "https://other.example.com") == (voice: false, sms: false))
        var voiceOnly = number
        voiceOnly.messageHandler = "relay_context"
        #expect(voiceOnly.pointsHere(publicURL: "https://sb.example.com") == (voice: true, sms: false))
        #expect(PhoneNumber(id: "x", number: "+1").pointsHere(publicURL: "https://sb.example.com") == (voice: false, sms: false))
    }

    @Test func emptyPlan() {
        let plan = ConfigurationPlan(owned: [], routed: [], publicURL: "https://sb.example.com")
        #expect(plan.isEmpty)
        #expect(plan.description == "Phone numbers for https://sb.example.com:\n0 to update, 0 already pointing here, 0 not owned")
    }
}
