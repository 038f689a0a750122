import Foundation
import Logging
import TestSupport
import Testing
@testable import SignalWire

/// Records what the client waited and every attempt it reported.
final class ClientProbe: @unchecked Sendable {
    private let lock = NSLock()
    private var waits: [Double] = []
    private var calls: [String] = []

    var sleeps: [Double] { lock.withLock { waits } }
    var apiCalls: [String] { lock.withLock { calls } }

    var sleep: @Sendable (Double) -> Void { { seconds in self.lock.withLock { self.waits.append(seconds) } } }
    var observer: SignalWireClient.APICallObserver {
        { method, status in self.lock.withLock { self.calls.append("\(method) \(status.map(String.init) ?? "-")") } }
    }
}

extension FakeSignalWire {
    /// A client for this fake, with a probe recording waits and attempts.
    func client(
        token: String? = nil, policy: RetryPolicy = .default, timeout: Double = 10,
        probe: ClientProbe, logger: Logger = Logger(label: "test")
    ) -> SignalWireClient {
        SignalWireClient(
            credentials: credentials(token: token), logger: logger, retryPolicy: policy, connectTimeout: 2,
            requestTimeout: timeout, sleep: probe.sleep, onAPICall: probe.observer
        )
    }
}

@Suite struct SignalWireClientTests {
    static func fiveNumbers() -> [[String: Any]] {
        (1...5).map { FakeSignalWire.number("id-\($0)", "+1555000000\($0)") }
    }

    /// A number's id as one path segment: RFC 3986's unreserved ASCII kept, every other byte encoded
    /// (non-ASCII letters too, which Foundation's `.alphanumerics` would have left as they were).
    @Test(arguments: [
        ("3fa85f64-5717-4562-b3fc-2c963f66afa6", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        ("a/b?c#d", "a%2Fb%3Fc%23d"), ("../x", "..%2Fx"), ("é ~_.", "%C3%A9%20~_."), ("", ""), ("%", "%25"),
    ])
    func numberIDsArePercentEncoded(_ id: String, _ expected: String) {
        #expect(SignalWireClient.percentEncodedSegment(id) == expected)
    }

    @Test func listFollowsAbsoluteNextLinksThroughEveryPage() throws {
        let fake = try FakeSignalWire(numbers: Self.fiveNumbers(), maxPageSize: 2)
        defer { fake.shutdown() }
        let probe = ClientProbe()
        let numbers = try fake.client(probe: probe).listPhoneNumbers()
        #expect(numbers.map(\.number) == (1...5).map { "+1555000000\($0)" })
        #expect(numbers[0].capabilities == ["voice", "sms", "mms"])
        #expect(numbers[0].callHandler == nil)
        #expect(fake.requests.map(\.target) == [
            "/api/relay/rest/phone_numbers?page_size=100",
            "/api/relay/rest/phone_numbers?page_number=1&page_size=2&page_token=PA1%3D",
            "/api/relay/rest/phone_numbers?page_number=2&page_size=2&page_token=PA2%3D",
        ])
        let basic = "Basic " + Data("\(fake.projectID):\(fake.apiToken)".utf8).base64EncodedString()
        #expect(fake.requests.allSatisfy { $0.authorization == basic })
        #expect(probe.apiCalls == ["GET 200", "GET 200", "GET 200"])
        #expect(probe.sleeps.isEmpty)
    }

    @Test func nextLinkToAnotherHostIsRefused() throws {
        let fake = try FakeSignalWire(numbers: Self.fiveNumbers(), maxPageSize: 2, nextLinkOrigin: "http://attacker.example")
        defer { fake.shutdown() }
        #expect(throws: SignalWireError.invalidResponse("links.next points outside http://127.0.0.1")) {
            try fake.client(probe: ClientProbe()).listPhoneNumbers()
        }
        #expect(fake.requests.count == 1)
    }

    @Test func updateSendsOnlyTheGivenFields() throws {
        let fake = try FakeSignalWire(numbers: Self.fiveNumbers())
        defer { fake.shutdown() }
        let probe = ClientProbe()
        let update = PhoneNumberUpdate(callHandler: "relay_script", callRelayScriptURL: "https://sb.example.com/voice")
        let number = try fake.client(probe: probe).updatePhoneNumber(id: "id-2", update)
        #expect(number.id == "id-2")
        #expect(number.callHandler == "relay_script")
        #expect(number.callRelayScriptURL == "https://sb.example.com/voice")
        #expect(number.messageHandler == nil)
        #expect(fake.putBodies == [#"{"call_handler":"relay_script","call_relay_script_url":"https://sb.example.com/voice"}"#])
        #expect(fake.requests.map(\.target) == ["/api/relay/rest/phone_numbers/id-2"])
        #expect(probe.apiCalls == ["PUT 200"])
        let fetched = try fake.client(probe: probe).phoneNumber(id: "id-2")
        #expect(fetched == number)
    }

    @Test func unauthorizedIsNotRetriedAndSaysWhatToCheck() throws {
        let fake = try FakeSignalWire(numbers: Self.fiveNumbers())
        defer { fake.shutdown() }
        let probe = ClientProbe()
        let (logger, logs) = CapturedLogs.logger()
        let wrong = fake.client(token: "PTwrong-token-1234", probe: probe, logger: logger)
        #expect(throws: SignalWireError.unauthorized(status: 401, details: ["Unauthorized"])) {
            try wrong.listPhoneNumbers()
        }
        #expect(probe.apiCalls == ["GET 401"])
        #expect(probe.sleeps.isEmpty)
        #expect(!logs.all.joined().contains("PTwrong-token-1234"))
    }

    @Test func forbiddenIsNotRetried() throws {
        let fake = try FakeSignalWire(numbers: Self.fiveNumbers())
        defer { fake.shutdown() }
        fake.enqueue(.respond(FakeSignalWire.json(403, ["error": "Forbidden"])))
        let probe = ClientProbe()
        do {
            _ = try fake.client(probe: probe).listPhoneNumbers()
            Issue.record("expected a 403")
        } catch let error as SignalWireError {
            #expect(error.status == 403)
            #expect(error.description.contains("(403): check SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN"))
        }
        #expect(probe.apiCalls == ["GET 403"])
    }

    @Test func unprocessableShowsTheDetailsWithoutRetrying() throws {
        let fake = try FakeSignalWire(numbers: Self.fiveNumbers(), rejectUpdatesWith: "Call relay script url is invalid")
        defer { fake.shutdown() }
        let probe = ClientProbe()
        do {
            _ = try fake.client(probe: probe).updatePhoneNumber(id: "id-1", PhoneNumberUpdate(callRelayScriptURL: "nope"))
            Issue.record("expected a 422")
        } catch let error as SignalWireError {
            #expect(error == .rejected(status: 422, details: ["Call relay script url is invalid (422)"]))
            #expect(error.description == "SignalWire rejected the request (422): Call relay script url is invalid (422)")
        }
        #expect(probe.apiCalls == ["PUT 422"])
        #expect(fake.putBodies.count == 1)
    }
}
