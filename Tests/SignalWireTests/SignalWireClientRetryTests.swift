import Foundation
import Logging
import TestSupport
import Testing
@testable import SignalWire

/// 429, 5xx, hangs and refused connections: what is retried, how long the client waits.
@Suite struct SignalWireClientRetryTests {
    static func fiveNumbers() -> [[String: Any]] { SignalWireClientTests.fiveNumbers() }

    @Test func rateLimitHonoursRetryAfterThenSucceeds() throws {
        let fake = try FakeSignalWire(numbers: Self.fiveNumbers())
        defer { fake.shutdown() }
        fake.enqueue(.respond(FakeSignalWire.json(429, ["error": "Too Many Requests"], headers: [("Retry-After", "3")])))
        let probe = ClientProbe()
        let (logger, logs) = CapturedLogs.logger()
        let number = try fake.client(probe: probe, logger: logger)
            .updatePhoneNumber(id: "id-3", PhoneNumberUpdate(messageRequestMethod: "POST"))
        #expect(number.messageRequestMethod == "POST")
        #expect(probe.sleeps == [3])
        #expect(probe.apiCalls == ["PUT 429", "PUT 200"])
        #expect(fake.putBodies == [#"{"message_request_method":"POST"}"#, #"{"message_request_method":"POST"}"#])
        #expect(logs.all.contains { $0.contains("retrying") && $0.contains("retry.wait_seconds=3.00") })
        #expect(!logs.all.joined().contains(fake.apiToken))
    }

    @Test func retryAfterIsCappedByThePolicy() throws {
        let fake = try FakeSignalWire(numbers: Self.fiveNumbers())
        defer { fake.shutdown() }
        fake.enqueue(.respond(FakeSignalWire.json(429, ["error": "Too Many Requests"], headers: [("Retry-After", "3600")])))
        let probe = ClientProbe()
        _ = try fake.client(policy: RetryPolicy(maxAttempts: 3, baseDelay: 0.5, maxDelay: 30), probe: probe).listPhoneNumbers()
        #expect(probe.sleeps == [30])
    }

    @Test func serverErrorIsRetriedWithJitteredBackoff() throws {
        let fake = try FakeSignalWire(numbers: Self.fiveNumbers(), maxPageSize: 2)
        defer { fake.shutdown() }
        fake.enqueue(.respond(.text(500, "oops")))
        let probe = ClientProbe()
        let numbers = try fake.client(policy: RetryPolicy(maxAttempts: 5, baseDelay: 0.5, maxDelay: 30), probe: probe)
            .listPhoneNumbers()
        #expect(numbers.count == 5)
        #expect(probe.sleeps.count == 1)
        #expect((0...0.5).contains(probe.sleeps[0]))
        #expect(probe.apiCalls == ["GET 500", "GET 200", "GET 200", "GET 200"])
    }

    @Test func persistentServerErrorsStopAfterMaxAttempts() throws {
        let fake = try FakeSignalWire(numbers: Self.fiveNumbers())
        defer { fake.shutdown() }
        fake.enqueue(.respond(.text(503, "down")), .respond(.text(502, "bad gateway")), .respond(.text(500, "oops")))
        let probe = ClientProbe()
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: 1, maxDelay: 30)
        #expect(throws: SignalWireError.unavailable(status: 500, details: ["oops"], attempts: 3)) {
            try fake.client(policy: policy, probe: probe).listPhoneNumbers()
        }
        #expect(probe.apiCalls == ["GET 503", "GET 502", "GET 500"])
        #expect(probe.sleeps.count == 2)
        #expect((0...1).contains(probe.sleeps[0]) && (0...2).contains(probe.sleeps[1]))
    }

    @Test func hangingAnswerHitsTheTotalTimeout() throws {
        let fake = try FakeSignalWire(numbers: Self.fiveNumbers())
        defer { fake.shutdown() }
        fake.enqueue(.hang(seconds: 2))
        let probe = ClientProbe()
        let started = Date()
        do {
            _ = try fake.client(policy: .never, timeout: 1, probe: probe).listPhoneNumbers()
            Issue.record("expected a timeout")
        } catch let SignalWireError.transport(message, attempts) {
            #expect(message.hasPrefix("curl error 28:"))
            #expect(attempts == 1)
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.9 && elapsed < 1.9)
        #expect(probe.apiCalls == ["GET -"])
    }

    @Test func refusedConnectionIsRetriedAsATransportError() throws {
        let fake = try FakeSignalWire(numbers: [])
        let credentials = fake.credentials()
        fake.shutdown()
        let probe = ClientProbe()
        let client = SignalWireClient(
            credentials: credentials, logger: Logger(label: "test"), retryPolicy: RetryPolicy(maxAttempts: 2, baseDelay: 0.1),
            connectTimeout: 1, requestTimeout: 2, sleep: probe.sleep, onAPICall: probe.observer
        )
        do {
            _ = try client.listPhoneNumbers()
            Issue.record("expected a transport error")
        } catch let SignalWireError.transport(message, attempts) {
            #expect(message.hasPrefix("curl error 7:"))
            #expect(attempts == 2)
        }
        #expect(probe.apiCalls == ["GET -", "GET -"])
        #expect(probe.sleeps.count == 1)
    }
}
