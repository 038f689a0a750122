// The invariants of the `signature` fuzz target, in one place: the fuzz package in fuzz/signature links
// this file into the libFuzzer harness with `-D FUZZ` (so only the invariants below are built), and
// `make test` runs them over every committed seed (fuzz/corpus/signature/) and crash input
// (fuzz/regressions/signature/).
#if !FUZZ
import Foundation
import Testing
import TestSupport
import SignalWire
#endif

/// What must hold for webhook signatures over any key, public URL, request-target and body.
///
/// An input is `key LF publicURL LF requestTarget LF body`: the first three fields are text (invalid
/// UTF-8 repaired), the body is the rest, raw; missing fields are empty.
enum SignatureFuzzInvariants {
    struct Input {
        var key: String
        var publicURL: String
        var target: String
        var body: [UInt8]

        init(_ bytes: [UInt8]) {
            var rest = bytes[...]
            var fields: [String] = []
            for _ in 0..<3 {
                let end = rest.firstIndex(of: 0x0A) ?? rest.endIndex
                fields.append(String(decoding: rest[..<end], as: UTF8.self))
                rest = end < rest.endIndex ? rest[(end + 1)...] : rest[end...]
            }
            (key, publicURL, target, body) = (fields[0], fields[1], fields[2], Array(rest))
        }

        /// The body as form parameters: `&` between pairs, the first `=` between key and value.
        var formParams: [(String, String)] {
            String(decoding: body, as: UTF8.self).split(separator: "&").map { part in
                guard let eq = part.firstIndex(of: "=") else { return (String(part), "") }
                return (String(part[..<eq]), String(part[part.index(after: eq)...]))
            }
        }
    }

    /// Every broken invariant, described; empty when all hold.
    static func violations(_ bytes: [UInt8]) -> [String] {
        let input = Input(bytes)
        let candidates = SignatureURL.candidates(publicURL: input.publicURL, requestTarget: input.target)
        _ = SignatureURL.redactingPassword(input.publicURL)
        guard let url = candidates.first else { return ["no candidate URLs"] }
        var problems: [String] = []
        // The request-target is appended byte for byte.
        if input.target.hasPrefix("/"), !url.utf8.reversed().starts(with: input.target.utf8.reversed()) {
            problems.append("the first candidate \(url.debugDescription) does not end with the target")
        }
        let signer = WebhookSignature(signingKey: input.key)
        if signer.validate(candidateURLs: candidates, headers: [String: String](), rawBody: input.body, formParams: nil) != .missing {
            problems.append("a JSON request without signature headers is not .missing")
        }
        problems += checkJSON(signer, input, candidates)
        problems += checkForm(signer, input, candidates)
        return problems
    }

    /// A JSON signature made as SignalWire makes it validates; over a body one byte off it does not.
    static func checkJSON(_ signer: WebhookSignature, _ input: Input, _ candidates: [String]) -> [String] {
        let url = SignatureURL.removingCredentials(candidates[0])
        let sha1 = signer.jsonSignature(url: url, rawBody: input.body)
        let sha256 = signer.jsonSHA256Signature(url: url, rawBody: input.body)
        let both = [(name: "x-signalwire-signature", value: sha1.uppercased()), (name: WebhookSignature.sha256Header, value: sha256)]
        var problems: [String] = []
        for headers in [both, Array(both.prefix(1))] {
            let result = signer.validate(candidateURLs: candidates, headers: headers, rawBody: input.body, formParams: nil)
            if !result.isValid { problems.append("JSON signature over \(url.debugDescription) (\(headers.count) headers) is \(result)") }
        }
        guard !input.body.isEmpty else { return problems }
        var changed = input.body
        changed[Int(changed[0]) % changed.count] &+= 1
        for headers in [both, Array(both.prefix(1))] {
            let result = signer.validate(candidateURLs: candidates, headers: headers, rawBody: changed, formParams: nil)
            if result.isValid { problems.append("JSON signature validates a body one byte off (\(headers.count) headers)") }
        }
        let wrong256 = [both[0], (name: WebhookSignature.sha256Header, value: signer.jsonSHA256Signature(url: url, rawBody: changed))]
        if signer.validate(candidateURLs: candidates, headers: wrong256, rawBody: input.body, formParams: nil).isValid {
            problems.append("a right SHA-1 with a wrong SHA-256 signature validates")
        }
        return problems
    }

    /// A form signature made as SignalWire makes it validates, whatever the parameter order; with one
    /// byte more in a value it does not.
    static func checkForm(_ signer: WebhookSignature, _ input: Input, _ candidates: [String]) -> [String] {
        let params = input.formParams
        let signature = signer.formSignature(url: candidates[0], params: params)
        var problems: [String] = []
        if signer.validate(candidateURLs: candidates, headers: [String: String](), rawBody: input.body, formParams: params) != .missing {
            problems.append("a form request without signature headers is not .missing")
        }
        for (header, order) in [(WebhookSignature.twilioHeader, params), ("X-SIGNALWIRE-SIGNATURE", params.reversed())] {
            let result = signer.validate(candidateURLs: candidates, headers: [header: signature], rawBody: input.body, formParams: order)
            if !result.isValid { problems.append("form signature over \(candidates[0].debugDescription) via \(header) is \(result)") }
        }
        var changed = params.isEmpty ? [("", "")] : params
        changed[0].1 += "x"
        let result = signer.validate(
            candidateURLs: candidates, headers: [WebhookSignature.signatureHeader: signature], rawBody: input.body, formParams: changed
        )
        if result.isValid { problems.append("form signature validates parameters one byte longer") }
        return problems
    }
}

#if !FUZZ
@Suite("Fuzz regressions: webhook signatures")
struct SignatureFuzzRegressionTests {
    @Test func seedCorpusKeepsTheInvariants() throws {
        let seeds = try FuzzInputs.files("corpus", target: "signature")
        #expect(seeds.count >= 10)
        for seed in seeds {
            #expect(SignatureFuzzInvariants.violations(seed.bytes) == [], "fuzz/corpus/signature/\(seed.name)")
        }
    }

    @Test func crashInputsKeepTheInvariants() throws {
        for input in try FuzzInputs.files("regressions", target: "signature") {
            #expect(SignatureFuzzInvariants.violations(input.bytes) == [], "fuzz/regressions/signature/\(input.name)")
        }
    }

    /// The seeds hold the two vectors of signalwire.md, read the way the harness reads its input.
    @Test func seedsHoldTheDocumentedVectors() throws {
        let seeds = Dictionary(uniqueKeysWithValues: try FuzzInputs.files("corpus", target: "signature").map { ($0.name, $0.bytes) })
        let json = SignatureFuzzInvariants.Input(try #require(seeds["json-vector"]))
        let jsonURL = SignatureURL.candidates(publicURL: json.publicURL, requestTarget: json.target)[0]
        #expect(WebhookSignature(signingKey: json.key).jsonSignature(url: jsonURL, rawBody: json.body)
            == "b18500437ebb010220ddd770cbe6fd531ea0ba0d")
        let form = SignatureFuzzInvariants.Input(try #require(seeds["form-vector"]))
        let formURL = SignatureURL.candidates(publicURL: form.publicURL, requestTarget: form.target)[0]
        #expect(WebhookSignature(signingKey: form.key).formSignature(url: formURL, params: form.formParams)
            == "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    }
}
#endif
