import Testing
import TestSupport
@testable import HTTPServer

struct URLEncodedFormTests {
    @Test func decodesPlusAndPercent() {
        let pairs = URLEncodedForm.decode("To=%2B15550000001&Body=hi+there%21&Empty=&Flag&&x=%zz")
        #expect(pairs.map(\.0) == ["To", "Body", "Empty", "Flag", "x"])
        #expect(pairs.map(\.1) == ["+15550000001", "hi there!", "", "", "%zz"])
    }

    @Test func decodesUTF8() {
        #expect(URLEncodedForm.decode("Body=caf%C3%A9")[0].1 == "caf\u{e9}")
    }

    /// A body is decoded as bytes (WHATWG URL §5.1): escapes and raw bytes form one UTF-8 sequence, and
    /// what is still invalid is replaced.
    @Test func bodiesDecodeAsBytes() {
        let body: [UInt8] = Array("Body=".utf8) + [0xC3] + Array("%A9+x&N%FF=1&%E2%82=".utf8) + [0xAC]
        let pairs = URLEncodedForm.decode(body)
        #expect(pairs.map(\.0) == ["Body", "N\u{FFFD}", "\u{FFFD}"])
        #expect(pairs.map(\.1) == ["\u{e9} x", "1", "\u{FFFD}"])
    }

    /// Generated bodies (escapes, pluses, raw and broken UTF-8) against a plain reading of WHATWG's steps.
    @Test func agreesWithTheStandardsStepsOnGeneratedBodies() {
        func reference(_ bytes: [UInt8]) -> [(String, String)] {
            bytes.split(separator: UInt8(ascii: "&")).map { part in
                let eq = part.firstIndex(of: UInt8(ascii: "=")) ?? part.endIndex
                func decode(_ s: ArraySlice<UInt8>) -> String {
                    var out: [UInt8] = []
                    var i = s.startIndex
                    while i < s.endIndex {
                        if s[i] == UInt8(ascii: "%"), i + 2 < s.endIndex,
                           let v = UInt8(String(decoding: s[(i + 1)...(i + 2)], as: UTF8.self), radix: 16),
                           s[(i + 1)...(i + 2)].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") }) {
                            out.append(v)
                            i += 3
                        } else {
                            out.append(s[i] == UInt8(ascii: "+") ? 0x20 : s[i])
                            i += 1
                        }
                    }
                    return String(decoding: out, as: UTF8.self)
                }
                return (decode(part[..<eq]), eq == part.endIndex ? "" : decode(part[(eq + 1)...]))
            }
        }
        let alphabet: [[UInt8]] = ["a", "Z", "=", "&", "+", "%", "%4", "%41", "%e9", "%C3", "%A9", "%zz", "é", "-1"].map { Array($0.utf8) }
            + [[0xC3], [0xA9], [0xFF], [0x00]]
        var random = SplitMix64(seed: 0xF0A1)
        for _ in 0..<500 {
            let body = (0..<random.next() % 24).flatMap { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let (got, want) = (URLEncodedForm.decode(body), reference(body))
            #expect(got.map(\.0) == want.map(\.0) && got.map(\.1) == want.map(\.1), "\(body)")
        }
    }

    @Test func roundTrips() {
        let pairs = [("To", "+1 555"), ("Body", "a&b=c/é%")]
        let decoded = URLEncodedForm.decode(URLEncodedForm.encode(pairs))
        #expect(decoded.map(\.0) == pairs.map(\.0))
        #expect(decoded.map(\.1) == pairs.map(\.1))
    }

    @Test func requestAccessors() {
        var request = HTTPRequest(method: "POST", target: "/sms?a=1&b=%2B2")
        request.headers.add("Content-Type", "Application/X-WWW-Form-Urlencoded; charset=utf-8")
        request.body = Array("From=%2B1555&Body=yo".utf8)
        #expect(request.path == "/sms")
        #expect(request.query == "a=1&b=%2B2")
        #expect(request.queryItems.map(\.1) == ["1", "+2"])
        #expect(request.formItems.map(\.0) == ["From", "Body"])
        #expect(request.contentType == "application/x-www-form-urlencoded")
    }

    @Test func listenAddresses() {
        #expect(ListenAddress("127.0.0.1:8080") == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(ListenAddress("[::]:8080") == ListenAddress(host: "::", port: 8080))
        #expect(ListenAddress("[::1]:0")?.isLoopback == true)
        #expect(ListenAddress("0.0.0.0:80")?.isLoopback == false)
        #expect(ListenAddress("localhost:1")?.isLoopback == true)
        #expect(ListenAddress("8080") == nil)
        #expect(ListenAddress("::1:80") == nil)
        #expect(ListenAddress("a:99999") == nil)
        #expect(ListenAddress("[::1]8080") == nil)
    }
}
