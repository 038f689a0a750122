import Testing
@testable import SignalWire

@Suite struct SignatureURLTests {
    @Test func plainHostAddsDefaultPortVariant() {
        #expect(SignatureURL.candidates(publicURL: "https://sb.example.com", requestTarget: "/voice") == [
            "https://sb.example.com/voice", "https://sb.example.com:443/voice",
        ])
        #expect(SignatureURL.candidates(publicURL: "http://sb.example.com:80/", requestTarget: "/sms") == [
            "http://sb.example.com:80/sms", "http://sb.example.com/sms",
        ])
        #expect(SignatureURL.candidates(publicURL: "https://sb.example.com:8443", requestTarget: "/sms") == [
            "https://sb.example.com:8443/sms",
        ])
    }

    @Test func prefixStrippedByProxyIsPutBack() {
        #expect(SignatureURL.candidates(publicURL: "https://host.example/sb", requestTarget: "/voice?x=1")[0]
            == "https://host.example/sb/voice?x=1")
        #expect(SignatureURL.candidates(publicURL: "https://host.example/sb/", requestTarget: "/voice")[0]
            == "https://host.example/sb/voice")
    }

    @Test func prefixKeptByProxyIsNotDoubled() {
        #expect(SignatureURL.candidates(publicURL: "https://host.example/sb", requestTarget: "/sb/voice")[0]
            == "https://host.example/sb/voice")
        #expect(SignatureURL.candidates(publicURL: "https://host.example/sb", requestTarget: "/sb?a=1")[0]
            == "https://host.example/sb?a=1")
        // "/sbx" does not start with the segment "/sb".
        #expect(SignatureURL.candidates(publicURL: "https://host.example/sb", requestTarget: "/sbx/voice")[0]
            == "https://host.example/sb/sbx/voice")
    }

    @Test func credentialsAreKeptInCandidates() {
        let candidates = SignatureURL.candidates(publicURL: "https://user:p%40ss@host.example", requestTarget: "/sms")
        #expect(candidates == ["https://user:p%40ss@host.example/sms", "https://user:p%40ss@host.example:443/sms"])
        #expect(SignatureURL.removingCredentials(candidates[1]) == "https://host.example:443/sms")
    }

    @Test func queryIsKeptByteForByte() {
        let target = "/voice?b=%2B1%20555&a=caf%C3%A9&c=x+y&d=%2f&a=1"
        #expect(SignatureURL.candidates(publicURL: "https://host.example", requestTarget: target)[0]
            == "https://host.example" + target)
    }

    @Test func absoluteFormTargetKeepsOnlyPathAndQuery() {
        #expect(SignatureURL.candidates(publicURL: "https://pub.example", requestTarget: "http://inner:8080/sms?a=%41")[0]
            == "https://pub.example/sms?a=%41")
    }

    @Test func queryOnThePublicURLIsNotAPrefix() {
        #expect(SignatureURL.candidates(publicURL: "https://host.example/sb/?x=1", requestTarget: "/voice")[0]
            == "https://host.example/sb/voice")
    }

    @Test func passwordsAreRedactedForDisplay() {
        #expect(SignatureURL.redactingPassword("https://sw:pa55@host/voice") == "https://sw:***@host/voice")
        #expect(SignatureURL.redactingPassword("https://host/voice") == "https://host/voice")
        #expect(SignatureURL.redactingPassword("https://user@host/voice") == "https://user@host/voice")
    }

    @Test func ipv6AndPortVariants() {
        #expect(SignatureURL.portVariants("https://[::1]/x") == ["https://[::1]/x", "https://[::1]:443/x"])
        #expect(SignatureURL.portVariants("http://[::1]:80/x") == ["http://[::1]:80/x", "http://[::1]/x"])
        #expect(SignatureURL.portVariants("not a url") == ["not a url"])
        #expect(SignatureURL.removingCredentials("https://a:b@[::1]:8443/p?q=@") == "https://[::1]:8443/p?q=@")
    }

    /// URLs are split on their ASCII delimiters alone.
    @Test func urlPartsEdgeCases() {
        #expect(SignatureURL.portVariants("HTTPS://Host.Example/x") == ["HTTPS://Host.Example/x", "HTTPS://Host.Example:443/x"])
        #expect(SignatureURL.portVariants("https://u:p@[::1]:443/x?y=:1") == ["https://u:p@[::1]:443/x?y=:1", "https://u:p@[::1]/x?y=:1"])
        #expect(SignatureURL.portVariants("https://host:99999999999999999999/x") == ["https://host:99999999999999999999/x"])
        #expect(SignatureURL.portVariants("https://host:4a3/x") == ["https://host:4a3/x"])
        #expect(SignatureURL.portVariants("https://:443/x") == ["https://:443/x"])
        #expect(SignatureURL.portVariants("ht tp://host/x") == ["ht tp://host/x"])
        #expect(SignatureURL.portVariants("https://host:/x") == ["https://host:/x", "https://host:443/x"])
        #expect(SignatureURL.removingCredentials("https://user@host#frag@x") == "https://host#frag@x")
        #expect(SignatureURL.redactingPassword("https://a:b@c:d@host/") == "https://a:***@host/")
    }

    /// The parsed-once form gives what the one-off function gives.
    @Test func preparedCandidatesMatch() {
        let bases = ["https://sb.example.com", "http://sb.example.com:80/", "https://u:p@host/sb/", "https://[::1]:8443/p?q", "nonsense"]
        let targets = ["/voice", "/sb/voice?x=1", "http://inner/sms", "voice", "/", "*"]
        for base in bases {
            let prepared = SignatureURL.Prepared(publicURL: base)
            for target in targets {
                #expect(prepared.candidates(requestTarget: target) == SignatureURL.candidates(publicURL: base, requestTarget: target))
                #expect(!prepared.candidates(requestTarget: target).isEmpty)
            }
        }
    }
}
