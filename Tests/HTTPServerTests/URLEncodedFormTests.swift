import Testing
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
