// The invariants of the `http` and `form` fuzz targets, in one place: fuzz/run.sh compiles this file
// into the libFuzzer harnesses with `-D FUZZ` (so only the invariants below are built), and `make test`
// runs them over every committed seed (fuzz/corpus/<target>/) and crash input (fuzz/regressions/<target>/).
#if !FUZZ
import Foundation
import Testing
import TestSupport
import HTTPServer
#endif

/// What must hold for any bytes handed to `HTTPDecoder.decode`.
enum HTTPFuzzInvariants {
    /// The default limits, and tiny ones so short inputs reach every limit's edge.
    static let decoders: [(name: String, decoder: HTTPDecoder)] = {
        var tiny = HTTPLimits()
        tiny.maxHeadBytes = 64
        tiny.maxHeaderCount = 3
        tiny.maxBodyBytes = 32
        return [("default limits", HTTPDecoder()), ("tiny limits", HTTPDecoder(limits: tiny))]
    }()

    /// Every broken invariant, described; empty when all hold.
    static func violations(_ bytes: [UInt8]) -> [String] {
        decoders.flatMap { entry in check(entry.decoder, bytes).map { "\(entry.name): \($0)" } }
    }

    static func check(_ decoder: HTTPDecoder, _ bytes: [UInt8]) -> [String] {
        let whole = decoder.decode(bytes)
        var problems: [String] = []
        let again = decoder.decode(bytes)
        if describe(whole) != describe(again) {
            problems.append("decoding twice differs: \(describe(whole)) then \(describe(again))")
        }
        guard case .request(let request, let consumed) = whole else { return problems }
        guard (1...bytes.count).contains(consumed) else {
            return problems + ["consumed \(consumed) of \(bytes.count) bytes"]
        }
        exercise(request)
        // The same bytes in two reads, split at `bytes[0] % count` and as far from the end: the first
        // read must not fail, nor end the request early.
        let split = Int(bytes[0]) % bytes.count
        let mirrored = bytes.count - 1 - split
        for cut in split == mirrored ? [split] : [split, mirrored] {
            problems += checkPrefix(decoder, bytes, cut: cut, of: whole)
        }
        // Pipelined requests after the first: each consumed count stays within what is left.
        var offset = consumed
        while offset < bytes.count, case .request(let next, let used) = decoder.decode(Array(bytes[offset...])) {
            guard (1...(bytes.count - offset)).contains(used) else {
                return problems + ["pipelined request at \(offset) consumed \(used) of \(bytes.count - offset) bytes"]
            }
            exercise(next)
            offset += used
        }
        return problems
    }

    /// The first `cut` bytes of `bytes`, which decode whole to `whole`, a request.
    static func checkPrefix(_ decoder: HTTPDecoder, _ bytes: [UInt8], cut: Int, of whole: HTTPDecoder.Result) -> [String] {
        guard case .request(let request, let consumed) = whole else { return [] }
        let first = decoder.decode(Array(bytes[..<cut]))
        switch first {
        case .failure(let status, let reason):
            return ["the first \(cut) of \(bytes.count) bytes fail (\(status) \(reason)), the whole parses"]
        case .request:
            if cut < consumed || describe(first) != describe(whole) {
                return ["the first \(cut) bytes give \(describe(first)), the whole gives \(describe(whole))"]
            }
        case .incomplete(let head):
            if cut >= consumed {
                return ["the first \(cut) bytes are incomplete, though the request ends at \(consumed)"]
            }
            if let head, describe(head) != headLine(request) {
                return ["the head of the first \(cut) bytes differs: \(describe(head))"]
            }
            // A connection resumes with that head once more bytes came: the whole must decode alike.
            if let head {
                let resumed = bytes.withUnsafeBufferPointer { decoder.decode($0, resuming: head) }
                if describe(resumed) != describe(whole) {
                    return ["resumed with the head of the first \(cut) bytes: \(describe(resumed)), the whole gives \(describe(whole))"]
                }
            }
        }
        return []
    }

    /// Runs the accessors a handler uses; they must not trap on anything the decoder accepts.
    static func exercise(_ request: HTTPRequest) {
        _ = (request.path, request.query, request.queryItems, request.contentType, request.formItems, request.bodyText)
    }

    static func describe(_ result: HTTPDecoder.Result) -> String {
        switch result {
        case .incomplete(let head): "incomplete(head: \(head.map(describe) ?? "nil"))"
        case .request(let request, let consumed): "request(\(describe(request)), consumed: \(consumed))"
        case .failure(let status, let reason): "failure(\(status), \(reason))"
        }
    }

    static func describe(_ request: HTTPRequest) -> String {
        headLine(request) + " body: \(request.body)"
    }

    /// The fields a head shares with the request it becomes.
    static func describe(_ head: HTTPDecoder.Head) -> String {
        "\(head.method) \(head.target) \(head.version.rawValue) \(describe(head.headers))"
    }

    static func headLine(_ request: HTTPRequest) -> String {
        "\(request.method) \(request.target) \(request.version.rawValue) \(describe(request.headers))"
    }

    static func describe(_ headers: HTTPHeaders) -> String {
        headers.map { "\($0.name): \($0.value)" }.debugDescription
    }
}

/// What must hold for `URLEncodedForm` over any text.
enum FormFuzzInvariants {
    /// Every broken invariant, described; empty when all hold.
    static func violations(_ bytes: [UInt8]) -> [String] {
        var problems: [String] = []
        // The input as a form: decoding, re-encoding and decoding again gives the same pairs.
        let decoded = URLEncodedForm.decode(String(decoding: bytes, as: UTF8.self))
        problems += roundTrip(decoded, "decoded input")
        // The input as pairs: NUL separates fields, taken as key, value, key, value...
        let fields = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let pairs = stride(from: 0, to: fields.count, by: 2).map { (fields[$0], $0 + 1 < fields.count ? fields[$0 + 1] : "") }
        problems += roundTrip(pairs, "pairs")
        for field in fields {
            let escaped = URLEncodedForm.escape(field)
            if let bad = escaped.utf8.first(where: { !isFormSafe($0) }) {
                problems.append("escape(\(field.debugDescription)) holds byte \(bad): \(escaped.debugDescription)")
            }
            let back = URLEncodedForm.percentDecode(escaped.utf8[...])
            if !back.utf8.elementsEqual(field.utf8) {
                problems.append("percentDecode(escape(\(field.debugDescription))) is \(back.debugDescription)")
            }
        }
        return problems
    }

    /// `decode(encode(pairs)) == pairs`, byte for byte.
    static func roundTrip(_ pairs: [(String, String)], _ what: String) -> [String] {
        let encoded = URLEncodedForm.encode(pairs)
        let back = URLEncodedForm.decode(encoded)
        let same = back.count == pairs.count && zip(back, pairs).allSatisfy { a, b in
            a.0.utf8.elementsEqual(b.0.utf8) && a.1.utf8.elementsEqual(b.1.utf8)
        }
        return same ? [] : ["\(what) \(pairs) encode to \(encoded.debugDescription), which decodes to \(back)"]
    }

    /// What `escape` may write: unreserved characters, `%` and `+` (never the separators `=` and `&`).
    static func isFormSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "-_.~%+".utf8.contains(byte)
        }
    }
}

#if !FUZZ
enum HTTPFuzzInputs {
    /// Crash inputs of bugs still open, by file name: each has its own disabled test below, and is
    /// left out of `crashInputsKeepTheInvariants` until the fix lands (then delete it here).
    static let open: Set<String> = []
}

@Suite("Fuzz regressions: HTTP decoder and form decoder")
struct HTTPFuzzRegressionTests {
    @Test(arguments: ["http", "form"])
    func seedCorpusKeepsTheInvariants(target: String) throws {
        let seeds = try FuzzInputs.files("corpus", target: target)
        #expect(seeds.count >= 10)
        for seed in seeds {
            let problems = target == "http" ? HTTPFuzzInvariants.violations(seed.bytes) : FormFuzzInvariants.violations(seed.bytes)
            #expect(problems == [], "fuzz/corpus/\(target)/\(seed.name)")
        }
    }

    @Test(arguments: ["http", "form"])
    func crashInputsKeepTheInvariants(target: String) throws {
        for input in try FuzzInputs.files("regressions", target: target) where !HTTPFuzzInputs.open.contains(input.name) {
            let problems = target == "http" ? HTTPFuzzInvariants.violations(input.bytes) : FormFuzzInvariants.violations(input.bytes)
            #expect(problems == [], "fuzz/regressions/\(target)/\(input.name)")
        }
    }

    /// The seeds reach every outcome: requests, incomplete input and failures.
    @Test func httpSeedsReachEveryOutcome() throws {
        let results = try FuzzInputs.files("corpus", target: "http").map { HTTPDecoder().decode($0.bytes) }
        #expect(results.contains { if case .request = $0 { true } else { false } })
        #expect(results.contains { if case .incomplete = $0 { true } else { false } })
        #expect(results.contains { if case .failure = $0 { true } else { false } })
    }
}
#endif
