import Foundation
import Testing
@testable import SignalWire

@Suite struct SignalWireCredentialsTests {
    @Test(arguments: [
        ("example.signalwire.com", "https://example.signalwire.com"),
        ("example.signalwire.com/", "https://example.signalwire.com"),
        ("https://example.signalwire.com", "https://example.signalwire.com"),
        ("https://example.signalwire.com//", "https://example.signalwire.com"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("http://127.0.0.1:9000/", "http://127.0.0.1:9000"),
        ("  example.signalwire.com \n", "https://example.signalwire.com"),
    ])
    func spaceURLIsNormalised(given: String, expected: String) {
        let credentials = SignalWireCredentials(projectID: "p", apiToken: "t", spaceURL: given)
        #expect(credentials.spaceURL == expected)
        #expect(credentials.baseURL == expected + "/api/relay/rest")
    }

    @Test func descriptionHidesTheToken() {
        let credentials = SignalWireCredentials(projectID: "proj", apiToken: "PTsecret123", spaceURL: "x.signalwire.com")
        #expect(!"\(credentials)".contains("PTsecret123"))
        #expect(!String(reflecting: credentials).contains("PTsecret123"))
        #expect("\(credentials)".contains("proj"))
    }
}

@Suite struct RetryPolicyTests {
    @Test func retryAfterIsHonouredAndBounded() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: 0.5, maxDelay: 30)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 3) == 3)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 600) == 30)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 0) == 0)
    }

    @Test func fullJitterGrowsExponentiallyUpToTheCap() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: 1, maxDelay: 5)
        for _ in 0..<200 {
            #expect((0...1).contains(policy.delay(beforeRetry: 1, retryAfter: nil)))
            #expect((0...2).contains(policy.delay(beforeRetry: 2, retryAfter: nil)))
            #expect((0...4).contains(policy.delay(beforeRetry: 3, retryAfter: nil)))
            #expect((0...5).contains(policy.delay(beforeRetry: 9, retryAfter: nil)))
            #expect((0...5).contains(policy.delay(beforeRetry: 1000, retryAfter: nil)))
        }
        // Jitter really varies.
        let samples = Set((0..<50).map { _ in policy.delay(beforeRetry: 4, retryAfter: nil) })
        #expect(samples.count > 10)
    }

    @Test func parsesRetryAfterSecondsOnly() {
        #expect(RetryPolicy.parseRetryAfter("3") == 3)
        #expect(RetryPolicy.parseRetryAfter(" 1.5 ") == 1.5)
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(RetryPolicy.parseRetryAfter("-1") == nil)
        #expect(RetryPolicy.parseRetryAfter(nil) == nil)
    }
}

@Suite struct SignalWireErrorTests {
    @Test func readsSignalWireErrorBodies() {
        let unprocessable = #"{"errors":[{"detail":"Call relay script url is invalid","status":"422","title":"Invalid Attribute","code":"422"}]}"#
        #expect(SignalWireError.details(fromBody: Array(unprocessable.utf8)) == ["Call relay script url is invalid (422)"])
        #expect(SignalWireError.details(fromBody: Array(#"{"error":"Unauthorized"}"#.utf8)) == ["Unauthorized"])
        #expect(SignalWireError.details(fromBody: Array("<html>Bad gateway</html>".utf8)) == ["<html>Bad gateway</html>"])
        #expect(SignalWireError.details(fromBody: []) == [])
    }

    @Test func descriptionsArePlain() {
        #expect(SignalWireError.unauthorized(status: 401, details: ["Unauthorized"]).description
            == "SignalWire refused the API token (401): check SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and the token's Numbers scope")
        #expect(SignalWireError.rejected(status: 422, details: ["a", "b"]).description == "SignalWire rejected the request (422): a; b")
        #expect(SignalWireError.unavailable(status: 503, details: [], attempts: 5).description == "SignalWire answered 503 after 5 attempts")
        #expect(SignalWireError.rejected(status: 422, details: ["x"]).status == 422)
        #expect(SignalWireError.transport(message: "m", attempts: 1).status == nil)
    }
}

@Suite struct PhoneNumberTests {
    @Test func decodesWithUnknownAndMissingFields() throws {
        let json = """
        {"id":"2f6b4e7a-0000-4000-8000-000000000001","number":"+15550000001","name":"Sales","capabilities":["voice","sms","mms"],
         "number_type":"longcode","call_handler":"relay_script","call_relay_script_url":"https://sb.example.com/voice",
         "call_request_url":null,"message_handler":"laml_webhooks","message_request_url":"https://sb.example.com/sms",
         "message_request_method":"POST","created_at":"2024-01-01T00:00:00Z","next_billed_at":"2024-02-01T00:00:00Z",
         "call_dialogflow_agent_id":null,"e911_address_id":null}
        """
        let number = try JSONDecoder().decode(PhoneNumber.self, from: Data(json.utf8))
        #expect(number.number == "+15550000001")
        #expect(number.capabilities == ["voice", "sms", "mms"])
        #expect(number.callRequestURL == nil)
        #expect(number.messageFallbackURL == nil)
        let minimal = try JSONDecoder().decode(PhoneNumber.self, from: Data(#"{"id":"x","number":"+1"}"#.utf8))
        #expect(minimal == PhoneNumber(id: "x", number: "+1"))
    }

    @Test func updateEncodesOnlySetFields() throws {
        let update = PhoneNumberUpdate(callRelayScriptURL: "https://h/voice", messageRequestMethod: "POST")
        #expect(try OrderedJSONEncoder().encodeToString(update) == #"{"call_relay_script_url":"https://h/voice","message_request_method":"POST"}"#)
        #expect(try OrderedJSONEncoder().encodeToString(PhoneNumberUpdate()) == "{}")
        #expect(PhoneNumberUpdate().isEmpty)
    }
}
