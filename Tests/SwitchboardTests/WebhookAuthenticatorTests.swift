import Foundation
import HTTPServer
import Logging
import SignalWire
import Testing
@testable import Switchboard

struct WebhookAuthenticatorTests {
    static let logger = Logger(label: "test")
    static let vectorBody = WebhookParsingTests.swmlRequest

    static func authenticator(_ url: String?, key: String? = "PSK_7TruNcSNTxp4zNrykMj4EPzF", mode: ServeConfig.SignatureMode = .enforce) throws -> WebhookAuthenticator {
        WebhookAuthenticator(publicURL: try url.map { try PublicURL($0) }, signingKey: key, mode: mode, logger: logger)
    }

    static func json(_ target: String, body: String, signature: String?) -> HTTPRequest {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let signature { headers.add("X-SignalWire-Signature", signature) }
        return HTTPRequest(method: "POST", target: target, headers: headers, body: Array(body.utf8))
    }

    @Test func publishedJSONVector() throws {
        // signalwire.md: url https://81f2-2-45-18-191.ngrok-free.app/ and this body give b185...ba0d.
        let auth = try Self.authenticator("https://81f2-2-45-18-191.ngrok-free.app")
        let body = #"{"call":{"call_id":"b5d63b2e-f75b-4dc8-b6d4-269b635f96c0","node_id":"fa3570ae-f8bd-42c2-83f4-9950d906c91b@us-west","segment_id":"b5d63b2e-f75b-4dc8-b6d4-269b635f96c0","call_state":"created","direction":"inbound","type":"phone","from":"+12135877632","to":"+12089806814","from_number":"+12135877632","to_number":"+12089806814","project_id":"4b7ae78a-d02e-4889-a63b-08b156d5916e","space_id":"62615f44-2a34-4235-b38b-76b5a1de6ef8"},"vars":{}}"#
        #expect(auth.check(Self.json("/", body: body, signature: "b18500437ebb010220ddd770cbe6fd531ea0ba0d")) == .allowed)
        #expect(auth.check(Self.json("/", body: body + " ", signature: "b18500437ebb010220ddd770cbe6fd531ea0ba0d")) == .denied(status: 403, reason: "invalid signature"))
        #expect(auth.check(Self.json("/", body: body, signature: nil)) == .denied(status: 403, reason: "missing X-SignalWire-Signature"))
    }

    @Test func publishedFormVectorThroughAPrefix() throws {
        // signalwire.md: https://mycompany.com/myapp.php?foo=1&bar=2 with these params, key 12345.
        let auth = try Self.authenticator("https://mycompany.com", key: "12345")
        var request = HTTPRequest(method: "POST", target: "/myapp.php?foo=1&bar=2",
                                  headers: ["Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="],
                                  body: Array("CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212".utf8))
        #expect(auth.check(request) == .allowed)
        request.body = Array("CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1235&From=%2B14158675309&To=%2B18005551212".utf8)
        #expect(auth.check(request) == .denied(status: 403, reason: "invalid signature"))
    }

    @Test func prefixStrippedOrNot() throws {
        let key = "PSK_test"
        let auth = try Self.authenticator("https://sb.example.com/sb", key: key)
        let signature = WebhookSignature(signingKey: key).jsonSignature(url: "https://sb.example.com/sb/voice?x=%2B1", rawBody: Array("{}".utf8))
        #expect(auth.check(Self.json("/sb/voice?x=%2B1", body: "{}", signature: signature)) == .allowed)
        #expect(auth.check(Self.json("/voice?x=%2B1", body: "{}", signature: signature)) == .allowed)
        // The target is used as received: a re-encoded query is a different URL.
        #expect(auth.check(Self.json("/voice?x=+1", body: "{}", signature: signature)) != .allowed)
    }

    @Test func hostHeaderIsNotTrusted() throws {
        let key = "PSK_test"
        let auth = try Self.authenticator("https://sb.example.com", key: key)
        let signedForAttacker = WebhookSignature(signingKey: key).jsonSignature(url: "https://evil.example.net/voice", rawBody: Array("{}".utf8))
        var request = Self.json("/voice", body: "{}", signature: signedForAttacker)
        request.headers.add("Host", "evil.example.net")
        request.headers.add("X-Forwarded-Host", "evil.example.net")
        #expect(auth.check(request) != .allowed)
    }

    @Test func logModeServesAnyway() throws {
        let auth = try Self.authenticator("https://sb.example.com", mode: .log)
        #expect(auth.check(Self.json("/voice", body: "{}", signature: "bad")) == .allowed)
    }

    @Test func basicAuthFromPublicURL() throws {
        let auth = try Self.authenticator("https://sw:s3cret@sb.example.com", key: nil)
        #expect(auth.check(Self.json("/voice", body: "{}", signature: nil)) == .denied(status: 401, reason: "HTTP Basic credentials required"))
        var request = Self.json("/voice", body: "{}", signature: nil)
        request.headers.add("Authorization", "Basic " + Data("sw:wrong".utf8).base64EncodedString())
        #expect(auth.check(request) != .allowed)
        request.headers.set("Authorization", "Basic " + Data("sw:s3cret".utf8).base64EncodedString())
        #expect(auth.check(request) == .allowed)
    }

    @Test func noKeyNoCredentialsAllows() throws {
        #expect(try Self.authenticator(nil, key: nil).check(Self.json("/voice", body: "{}", signature: nil)) == .allowed)
    }
}
