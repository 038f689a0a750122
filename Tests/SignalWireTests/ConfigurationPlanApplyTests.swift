import Foundation
import Logging
import TestSupport
import Testing
@testable import SignalWire

@Suite struct ConfigurationPlanApplyTests {
    static let publicURL = "https://sb.example.com/"

    static func fakeNumbers() -> [[String: Any]] {
        [
            FakeSignalWire.number("id-1", "+15550000001"),
            FakeSignalWire.number("id-2", "+15550000002", handlers: [
                "call_handler": "relay_script", "call_relay_script_url": "https://sb.example.com/voice",
                "message_handler": "laml_webhooks", "message_request_url": "https://sb.example.com/sms",
                "message_request_method": "POST",
            ]),
            FakeSignalWire.number("id-3", "+15550000003", handlers: ["call_handler": "ai_agent"]),
            FakeSignalWire.number("id-4", "+15550000004", handlers: [
                "call_handler": "relay_script", "call_relay_script_url": "https://old.example.com/voice",
            ]),
        ]
    }

    static let routed = [
        RoutedNumber(number: "+15550000001", voice: true, sms: true),
        RoutedNumber(number: "+15550000002", voice: true, sms: true),
        RoutedNumber(number: "+15550000004", voice: true, sms: false),
        RoutedNumber(number: "+15559990000", voice: true, sms: true),
    ]

    @Test func listPlanApplyThenNothingLeft() throws {
        let fake = try FakeSignalWire(numbers: Self.fakeNumbers(), maxPageSize: 3)
        defer { fake.shutdown() }
        let (logger, logs) = CapturedLogs.logger()
        let client = SignalWireClient(credentials: fake.credentials(), logger: logger, sleep: { _ in })
        let plan = ConfigurationPlan(owned: try client.listPhoneNumbers(), routed: Self.routed, publicURL: Self.publicURL)
        #expect(plan.changes.map(\.number.id) == ["id-1", "id-4"])
        #expect(plan.notOwned == ["+15559990000"])

        let report = plan.apply(using: client, logger: logger)
        #expect(report.succeeded)
        #expect(report.updated.map(\.id) == ["id-1", "id-4"])
        #expect(report.unchanged == ["+15550000002"])
        #expect(report.notOwned == ["+15559990000"])
        #expect(fake.putBodies == [
            #"{"call_handler":"relay_script","call_relay_script_url":"https://sb.example.com/voice","message_handler":"laml_webhooks","message_request_url":"https://sb.example.com/sms","message_request_method":"POST"}"#,
            #"{"call_relay_script_url":"https://sb.example.com/voice"}"#,
        ])
        // The number not in routes.json was never written.
        #expect(!fake.requests.contains { $0.target.hasSuffix("/id-3") })
        #expect(logs.all.filter { $0.hasPrefix("info Configured phone number") }.count == 2)
        #expect(logs.all.contains { $0.hasPrefix("warning") && $0.contains("number=+15559990000") })

        // A second pass finds everything in place.
        let again = ConfigurationPlan(owned: try client.listPhoneNumbers(), routed: Self.routed, publicURL: Self.publicURL)
        #expect(again.isEmpty)
        #expect(again.unchanged.map(\.id) == ["id-1", "id-2", "id-4"])
        #expect(!logs.all.joined().contains(fake.apiToken))
    }

    @Test func failuresAreReportedNotThrown() throws {
        let fake = try FakeSignalWire(numbers: Self.fakeNumbers(), rejectUpdatesWith: "Message request url is invalid")
        defer { fake.shutdown() }
        let (logger, logs) = CapturedLogs.logger()
        let client = SignalWireClient(credentials: fake.credentials(), logger: logger, sleep: { _ in })
        let plan = ConfigurationPlan(owned: try client.listPhoneNumbers(), routed: Self.routed, publicURL: Self.publicURL)
        let report = plan.apply(using: client, logger: logger)
        #expect(!report.succeeded)
        #expect(report.updated.isEmpty)
        #expect(report.failed == [
            .init(number: "+15550000001", message: "SignalWire rejected the request (422): Message request url is invalid (422)"),
            .init(number: "+15550000004", message: "SignalWire rejected the request (422): Message request url is invalid (422)"),
        ])
        #expect(logs.all.filter { $0.hasPrefix("error Could not configure phone number") }.count == 2)
        #expect(report.description.contains("+15550000001  failed: SignalWire rejected the request (422)"))
    }

    @Test func refusedTokenStopsTheRemainingUpdates() throws {
        let fake = try FakeSignalWire(numbers: Self.fakeNumbers())
        defer { fake.shutdown() }
        let owned = try SignalWireClient(credentials: fake.credentials(), logger: Logger(label: "t")).listPhoneNumbers()
        let plan = ConfigurationPlan(owned: owned, routed: Self.routed, publicURL: Self.publicURL)
        let probe = ClientProbe()
        let wrong = SignalWireClient(credentials: fake.credentials(token: "PTrevoked"), logger: Logger(label: "t"),
                                     sleep: probe.sleep, onAPICall: probe.observer)
        let report = plan.apply(using: wrong, logger: Logger(label: "t"))
        #expect(report.failed.map(\.number) == ["+15550000001", "+15550000004"])
        #expect(report.failed.allSatisfy { $0.message.hasPrefix("SignalWire refused the API token (401)") })
        #expect(probe.apiCalls == ["PUT 401"])
    }
}
