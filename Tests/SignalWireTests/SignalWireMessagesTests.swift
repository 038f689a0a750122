import Foundation
import HTTPServer
import Logging
import TestSupport
import Testing
@testable import SignalWire

/// Texts through the Compatibility API's `Messages.json`, against the fake API.
@Suite struct SignalWireMessagesTests {
    static func client(_ fake: FakeSignalWire, token: String? = nil, attempts: Int = 1) -> SignalWireClient {
        SignalWireClient(credentials: fake.credentials(token: token), logger: Logger(label: "test"),
                         retryPolicy: RetryPolicy(maxAttempts: attempts, baseDelay: 0.01), connectTimeout: 2, requestTimeout: 5,
                         sleep: { _ in })
    }

    @Test func aTextIsPostedAsAFormWithBasicAuth() throws {
        let fake = try FakeSignalWire(numbers: [])
        defer { fake.shutdown() }
        let sid = try Self.client(fake).sendMessage(from: "+15550000001", to: "+15551111111", body: "Voicemail from +1213 & co: 100% heard")
        #expect(sid.hasPrefix("SM"))
        #expect(fake.sentMessages == [FakeSignalWire.SentMessage(sid: sid, from: "+15550000001", to: "+15551111111",
                                                                  body: "Voicemail from +1213 & co: 100% heard")])
        let request = try #require(fake.requests.last)
        #expect(request.method == "POST")
        #expect(request.target == "/api/laml/2010-04-01/Accounts/\(fake.projectID)/Messages.json")
        #expect(request.body.hasPrefix("From=%2B15550000001&To=%2B15551111111&Body=Voicemail+from+%2B1213+%26+co%3A+100%25+heard"))
        #expect(request.authorization == "Basic " + Data("\(fake.projectID):\(fake.apiToken)".utf8).base64EncodedString())
    }

    @Test func signalWiresErrorIsShown() throws {
        let fake = try FakeSignalWire(numbers: [])
        defer { fake.shutdown() }
        #expect {
            try Self.client(fake).sendMessage(from: "+15550000001", to: "12", body: "x")
        } throws: { error in
            "\(error)".contains("The 'To' number 12 is not a valid phone number. (21211)") && (error as? SignalWireError)?.status == 400
        }
        #expect { try Self.client(fake, token: "wrong").sendMessage(from: "+15550000001", to: "+15551111111", body: "x") } throws: { error in
            (error as? SignalWireError)?.status == 401
        }
        #expect(fake.sentMessages.isEmpty)
    }

    @Test func anUnavailableAPIIsRetried() throws {
        let fake = try FakeSignalWire(numbers: [])
        defer { fake.shutdown() }
        fake.enqueue(.respond(FakeSignalWire.json(503, ["code": 20500, "message": "Service Unavailable", "status": 503])))
        _ = try Self.client(fake, attempts: 2).sendMessage(from: "+15550000001", to: "+15551111111", body: "hi")
        #expect(fake.sentMessages.count == 1)
        fake.enqueue(.respond(FakeSignalWire.json(503, ["code": 20500, "message": "Service Unavailable", "status": 503])))
        #expect { try Self.client(fake).sendMessage(from: "+15550000001", to: "+15551111111", body: "hi") } throws: { error in
            if case SignalWireError.unavailable(503, _, 1)? = error as? SignalWireError { return true }
            return false
        }
    }
}
