import Testing
@testable import HTTPServer

@Suite struct HTTPHeadersTests {
    /// Header names compare equal ignoring ASCII case only: every pair of ASCII bytes against the rule
    /// written out, then whole names, and letters beyond ASCII, which never fold.
    @Test func namesCompareIgnoringASCIICaseOnly() {
        func folded(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }
        for x in UInt8(0)..<0x80 {
            for y in UInt8(0)..<0x80 {
                let a = String(decoding: [UInt8(ascii: "x"), x], as: UTF8.self)
                let b = String(decoding: [UInt8(ascii: "X"), y], as: UTF8.self)
                #expect(a.caseInsensitiveEquals(b) == (folded(x) == folded(y)), "\(x) \(y)")
            }
        }
        #expect("Content-Length".caseInsensitiveEquals("content-LENGTH"))
        #expect(!"Content-Length".caseInsensitiveEquals("Content-Lengtj"))
        #expect(!"Host".caseInsensitiveEquals("Hos"))
        #expect(!"é".caseInsensitiveEquals("É"))
        #expect("".caseInsensitiveEquals(""))
        // Lookups by name use it.
        let header: HTTPHeaders = ["X-SignalWire-Signature": "abc"]
        #expect(header["x-signalwire-SIGNATURE"] == "abc")
        #expect(header["x-signalwire-signaturf"] == nil)
    }
}
