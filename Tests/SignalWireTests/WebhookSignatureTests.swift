import Foundation
import HTTPServer
import Testing
import TestSupport
@testable import SignalWire

/// The published vectors of `signalwire.md`.
enum SignatureVectors {
    static let jsonKey = "PSK_7TruNcSNTxp4zNrykMj4EPzF"
    static let jsonURL = "https://81f2-2-45-18-191.ngrok-free.app/"
    static let jsonBody = #"{"call":{"call_id":"b5d63b2e-f75b-4dc8-b6d4-269b635f96c0","node_id":"fa3570ae-f8bd-42c2-83f4-9950d906c91b@us-west","segment_id":"b5d63b2e-f75b-4dc8-b6d4-269b635f96c0","call_state":"created","direction":"inbound","type":"phone","from":"+12135877632","to":"+12089806814","from_number":"+12135877632","to_number":"+12089806814","project_id":"4b7ae78a-d02e-4889-a63b-08b156d5916e","space_id":"62615f44-2a34-4235-b38b-76b5a1de6ef8"},"vars":{}}"#
    static let jsonSignature = "b18500437ebb010220ddd770cbe6fd531ea0ba0d"

    static let formKey = "12345"
    static let formURL = "https://mycompany.com/myapp.php?foo=1&bar=2"
    static let formURLWithPort = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
    static let formParams: [(String, String)] = [
        ("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"),
        ("From", "+14158675309"), ("To", "+18005551212"),
    ]
    static let formSignature = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    static let formSignatureWithPort = "kvajT1Ptam85bY51eRf/AJRuM3w="
}

@Suite struct WebhookSignatureTests {
    /// The form signature's base64 is Foundation's, for every length (padding of 0, 1 and 2).
    @Test func base64MatchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<64 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(WebhookSignature.base64(bytes) == Array(Data(bytes).base64EncodedString().utf8), "\(bytes)")
        }
        #expect(WebhookSignature.base64(Array(repeating: 0xFF, count: 20)) == Array("//////////////////////////8=".utf8))
    }

    /// The parameter order is `lexicographicallyPrecedes` over the UTF-8: prefixes first, bytes unsigned.
    @Test func utf8OrderIsLexicographicOverTheBytes() {
        let alphabet = ["", "a", "b", "A", "ab", "aa", "a\u{0}", "\u{7F}", "\u{E9}", "e\u{301}", "\u{1F600}", "To", "Body", "Bo"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let a = (0..<Int.random(in: 0...3, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
            let b = (0..<Int.random(in: 0...3, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
            let order = WebhookSignature.utf8Order(a, b)
            #expect((order < 0) == a.utf8.lexicographicallyPrecedes(b.utf8), "\(a) \(b)")
            #expect((order == 0) == a.utf8.elementsEqual(b.utf8), "\(a) \(b)")
        }
    }

    /// Hex of either case decodes; anything else (odd length, a non-hex digit) does not.
    @Test(arguments: [
        ("", [UInt8]()), ("00ff", [0x00, 0xFF]), ("DEadBe", [0xDE, 0xAD, 0xBE]), ("0", nil), ("abc", nil), ("0g", nil),
        ("zz", nil), ("1 ", nil), ("é0", nil),
    ] as [(String, [UInt8]?)])
    func unhex(_ text: String, _ expected: [UInt8]?) {
        #expect(WebhookSignature.unhex(text) == expected)
        #expect(WebhookSignature.unhex(String(text.dropFirst(0))) == expected)
    }

    typealias V = SignatureVectors
    let json = WebhookSignature(signingKey: V.jsonKey)
    let form = WebhookSignature(signingKey: V.formKey)

    @Test func jsonVector() {
        #expect(json.jsonSignature(url: V.jsonURL, rawBody: Array(V.jsonBody.utf8)) == V.jsonSignature)
        let result = json.validate(
            candidateURLs: [V.jsonURL], headers: ["X-SignalWire-Signature": V.jsonSignature],
            rawBody: Array(V.jsonBody.utf8), formParams: nil
        )
        #expect(result == .valid(url: V.jsonURL))
    }

    @Test func jsonVectorFoundAmongCandidates() {
        let candidates = SignatureURL.candidates(publicURL: "https://81f2-2-45-18-191.ngrok-free.app", requestTarget: "/")
        let result = json.validate(
            candidateURLs: candidates, headers: [(name: "x-signalwire-signature", value: V.jsonSignature.uppercased())],
            rawBody: Array(V.jsonBody.utf8), formParams: nil
        )
        #expect(result == .valid(url: V.jsonURL))
    }

    @Test func acceptsTheServersHeaderTypeDirectly() {
        let request = HTTPRequest(
            method: "POST", target: "/myapp.php?foo=1&bar=2",
            headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded"), ("x-twilio-signature", V.formSignature)]),
            body: Array(URLEncodedForm.encode(V.formParams).utf8)
        )
        let candidates = SignatureURL.candidates(publicURL: "https://mycompany.com", requestTarget: request.target)
        let result = form.validate(candidateURLs: candidates, headers: request.headers, rawBody: request.body, formParams: request.formItems)
        #expect(result == .valid(url: V.formURL))
    }

    @Test func jsonCredentialsAreRemovedBeforeSigning() {
        let result = json.validate(
            candidateURLs: ["https://user:secret@81f2-2-45-18-191.ngrok-free.app/"],
            headers: ["X-SignalWire-Signature": V.jsonSignature], rawBody: Array(V.jsonBody.utf8), formParams: nil
        )
        #expect(result == .valid(url: V.jsonURL))
    }

    @Test func jsonTamperedBody() {
        let body = Array(V.jsonBody.replacingOccurrences(of: "+12089806814", with: "+12089806815").utf8)
        let result = json.validate(
            candidateURLs: [V.jsonURL], headers: ["X-SignalWire-Signature": V.jsonSignature], rawBody: body, formParams: nil
        )
        #expect(result == .invalid(reason: "X-SignalWire-Signature does not match", triedURLs: [V.jsonURL]))
    }

    @Test func jsonWrongKey() {
        let other = WebhookSignature(signingKey: "PSK_other")
        let result = other.validate(
            candidateURLs: [V.jsonURL], headers: ["X-SignalWire-Signature": V.jsonSignature],
            rawBody: Array(V.jsonBody.utf8), formParams: nil
        )
        #expect(!result.isValid)
    }

    @Test func jsonSHA256HeaderMustMatchWhenPresent() {
        let body = Array(V.jsonBody.utf8)
        let sha256 = json.jsonSHA256Signature(url: V.jsonURL, rawBody: body)
        #expect(sha256.count == 64)
        let good = json.validate(
            candidateURLs: [V.jsonURL],
            headers: ["X-SignalWire-Signature": V.jsonSignature, "X-SignalWire-SHA256-Signature": sha256],
            rawBody: body, formParams: nil
        )
        #expect(good == .valid(url: V.jsonURL))
        var wrong = Array(sha256)
        wrong[10] = wrong[10] == "0" ? "1" : "0"
        let bad = json.validate(
            candidateURLs: [V.jsonURL],
            headers: ["X-SignalWire-Signature": V.jsonSignature, "X-SignalWire-SHA256-Signature": String(wrong)],
            rawBody: body, formParams: nil
        )
        #expect(bad == .invalid(reason: "X-SignalWire-SHA256-Signature does not match", triedURLs: [V.jsonURL]))
    }

    @Test func jsonMissingHeader() {
        let result = json.validate(candidateURLs: [V.jsonURL], headers: [:], rawBody: Array(V.jsonBody.utf8), formParams: nil)
        #expect(result == .missing)
        let twilioOnly = json.validate(
            candidateURLs: [V.jsonURL], headers: ["X-Twilio-Signature": V.jsonSignature],
            rawBody: Array(V.jsonBody.utf8), formParams: nil
        )
        #expect(twilioOnly == .missing)
    }

    @Test func formVectorWithAndWithoutPort() {
        #expect(form.formSignature(url: V.formURL, params: V.formParams) == V.formSignature)
        #expect(form.formSignature(url: V.formURLWithPort, params: V.formParams) == V.formSignatureWithPort)
        // Parameter order as received does not matter.
        #expect(form.formSignature(url: V.formURL, params: V.formParams.reversed()) == V.formSignature)
    }

    @Test func formAcceptsEitherPortVariant() {
        for (url, signature, signedURL) in [
            (V.formURL, V.formSignatureWithPort, V.formURLWithPort),
            (V.formURLWithPort, V.formSignature, V.formURL),
            (V.formURL, V.formSignature, V.formURL),
        ] {
            let result = form.validate(
                candidateURLs: [url], headers: ["X-SignalWire-Signature": signature], rawBody: [], formParams: V.formParams
            )
            #expect(result == .valid(url: signedURL))
        }
    }

    @Test func formTwilioAlias() {
        let result = form.validate(
            candidateURLs: [V.formURL], headers: ["X-Twilio-Signature": V.formSignature], rawBody: [], formParams: V.formParams
        )
        #expect(result == .valid(url: V.formURL))
    }

    @Test func formTamperedParam() {
        var params = V.formParams
        params[2] = ("Digits", "1235")
        let result = form.validate(
            candidateURLs: [V.formURL], headers: ["X-SignalWire-Signature": V.formSignature], rawBody: [], formParams: params
        )
        #expect(result == .invalid(reason: "form signature does not match", triedURLs: [V.formURL, V.formURLWithPort]))
        let added = form.validate(
            candidateURLs: [V.formURL], headers: ["X-SignalWire-Signature": V.formSignature], rawBody: [],
            formParams: V.formParams + [("Extra", "1")]
        )
        #expect(!added.isValid)
    }

    @Test func formTamperedURL() {
        let result = form.validate(
            candidateURLs: ["https://mycompany.com/myapp.php?foo=1&bar=3"],
            headers: ["X-SignalWire-Signature": V.formSignature], rawBody: [], formParams: V.formParams
        )
        #expect(!result.isValid)
    }

    @Test func formWrongKeyAndMissingHeader() {
        let other = WebhookSignature(signingKey: "54321")
        let wrongKey = other.validate(
            candidateURLs: [V.formURL], headers: ["X-SignalWire-Signature": V.formSignature], rawBody: [], formParams: V.formParams
        )
        #expect(!wrongKey.isValid)
        let missing = form.validate(candidateURLs: [V.formURL], headers: [:], rawBody: [], formParams: V.formParams)
        #expect(missing == .missing)
    }

    @Test func formRepeatedKeysSortByValue() {
        let a = form.formSignature(url: V.formURL, params: [("MediaUrl", "b"), ("MediaUrl", "a"), ("Body", "x")])
        let b = form.formSignature(url: V.formURL, params: [("Body", "x"), ("MediaUrl", "a"), ("MediaUrl", "b")])
        #expect(a == b)
        let expected = form.formSignature(url: V.formURL + "BodyxMediaUrlaMediaUrlb", params: [])
        #expect(a == expected)
    }

    /// RFC 2202 / RFC 4231 case 2, a key longer than a block, keys of one block and one byte more (used
    /// as they are, and hashed first: Python's hmac module gave these), and the empty key: the HMACs
    /// themselves, through the JSON signature with an empty URL (the MAC is over url + body).
    @Test(arguments: [
        ("", "", "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d",
         "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
        ("Jefe", "what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (String(repeating: "k", count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
         "522882a14ee30c4bdb54258404357ea8b91d18a9",
         "70e4b005732fa7ff79392aa24fb240159b925dbc9f1398420c0f45e6763dcf14"),
        (String(repeating: "k", count: 64), "A key of one block, and one byte more",
         "66d5be4002ebd004bdb53242ab11842ab84d8e68",
         "64775efb6905c5201d103a8e84853dc15e446f4103b5dc26fdf6ae474af69121"),
        (String(repeating: "k", count: 65), "A key of one block, and one byte more",
         "1e27d66f81dcc2df64a9545d4861cfea7c372629",
         "6ead07ac92b6580ca2560170ebfbd394d8994125fb48a638c5d175354ccbba91"),
    ])
    func hmacVectors(key: String, message: String, sha1: String, sha256: String) {
        let signature = WebhookSignature(signingKey: key)
        #expect(signature.jsonSignature(url: "", rawBody: Array(message.utf8)) == sha1)
        #expect(signature.jsonSHA256Signature(url: "", rawBody: Array(message.utf8)) == sha256)
        // Split anywhere between URL and body, the MAC is the same.
        let split = message.utf8.count / 3
        let head = String(decoding: Array(message.utf8.prefix(split)), as: UTF8.self)
        #expect(signature.jsonSignature(url: head, rawBody: Array(message.utf8.dropFirst(split))) == sha1)
    }

    /// One keyed HMAC shared by many threads: each check starts from copies of the keyed states, so
    /// every answer is still right (a check that hashed into the shared states would fail this).
    @Test func concurrentChecksShareTheKeyedState() {
        let shared = json
        let results = Locked([Int: Bool]())
        let finished = runThreads(8, timeout: 30) { index in
            var allValid = true
            for round in 0..<500 {
                let body = Array(V.jsonBody.utf8)
                let good = shared.validate(
                    candidateURLs: [V.jsonURL], headers: ["X-SignalWire-Signature": V.jsonSignature],
                    rawBody: body, formParams: nil)
                let bad = shared.validate(
                    candidateURLs: [V.jsonURL], headers: ["X-SignalWire-Signature": V.jsonSignature],
                    rawBody: body + [UInt8(round % 200)], formParams: nil)
                if good != .valid(url: V.jsonURL) { allValid = false }
                if case .valid = bad { allValid = false }
            }
            results.withLock { $0[index] = allValid }
        }
        #expect(finished)
        #expect(results.withLock { $0 } == Dictionary(uniqueKeysWithValues: (0..<8).map { ($0, true) }))
    }

    @Test func constantTimeComparison() {
        #expect(ConstantTime.equals(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ConstantTime.equals(Array("abc".utf8), Array("abd".utf8)))
        #expect(!ConstantTime.equals(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!ConstantTime.equals(Array("abc".utf8), []))
        #expect(ConstantTime.equals([], []))
        #expect(!ConstantTime.equals([], [0]))
        // Lengths that differ by a multiple of 256 are still different.
        #expect(!ConstantTime.equals([UInt8](repeating: 0, count: 256), []))
    }
}

/// The signature on Switchboard's own notification webhooks, checked against Python's `hmac` module.
struct BodySignatureTests {
    @Test func matchesHMACSHA256OfTheBody() {
        // python3 -c 'import hmac,hashlib; print(hmac.new(b"hook-secret", b"{\"event\":\"missed\"}", hashlib.sha256).hexdigest())'
        #expect(BodySignature.sign(Array(#"{"event":"missed"}"#.utf8), secret: "hook-secret")
                == "sha256=c06ab0934a92aef2192d976913dc861db5b40111451477067d97e6a0c7405546")
        #expect(BodySignature.header == "X-Switchboard-Signature")
    }
}
