import Foundation
import HTTPServer
import Testing
@testable import Switchboard

/// The operator page's document as text: what the daemon's Content-Security-Policy allows and what
/// the page promises (no data in it, nothing from elsewhere). The page in a real browser:
/// EndToEndOperatorPageTests.swift.
struct OperatorPageTests {
    static let html = OperatorPage.html

    @Test func isOneWholeDocumentInUTF8() {
        #expect(Self.html.hasPrefix("<!doctype html>"))
        #expect(Self.html.hasSuffix("</html>"))
        #expect(OperatorPage.body == Array(Self.html.utf8))
        #expect(Self.html.contains(#"<meta charset="utf-8">"#))
        #expect(Self.html.contains(#"<meta name="viewport" content="width=device-width, initial-scale=1">"#))
    }

    /// The response for the lead's `GET /admin/` route: HTML, never cached, the strict CSP.
    @Test func responseCarriesTheHeadersThePageNeeds() {
        let response = OperatorPage.response
        #expect(response.status == 200)
        #expect(response.body == OperatorPage.body)
        #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(response.headers["Cache-Control"] == "no-store")
        #expect(response.headers["Content-Security-Policy"] == "default-src 'self'; script-src 'unsafe-inline'; "
            + "style-src 'unsafe-inline'; connect-src 'self'; media-src https: http:")
    }

    /// `script-src 'unsafe-inline'` allows inline script elements but the page must not need eval,
    /// and handler attributes are a habit that would put data into markup.
    @Test func needsNothingTheCSPForbids() {
        #expect(Self.html.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "an inline event handler")
        for forbidden in ["eval(", "new Function", "setTimeout(\"", "setInterval(", "javascript:", "document.write"] {
            #expect(!Self.html.contains(forbidden), "\(forbidden)")
        }
        #expect(!Self.html.contains("<script src"), "a script from a file")
        #expect(!Self.html.contains("<link"), "a stylesheet or icon from a file")
        #expect(!Self.html.contains("@import"), "a stylesheet from a file")
        #expect(!Self.html.contains("url("), "an image or font from a file")
    }

    /// Data reaches the DOM as text only, and nothing is loaded from another origin.
    @Test func buildsTheDOMFromTextNodes() {
        for forbidden in ["innerHTML", "outerHTML", "insertAdjacentHTML", "http://", "https://", "//cdn"] {
            #expect(!Self.html.contains(forbidden), "\(forbidden)")
        }
        #expect(Self.html.contains("textContent"))
        #expect(Self.html.contains("createTextNode"))
    }

    /// Served without authentication: no number, no pool, nothing of routes.json.
    @Test func carriesNoData() {
        #expect(Self.html.range(of: #"\+?\d{7,}"#, options: .regularExpression) == nil, "a phone number")
        #expect(!Self.html.contains("sip:"))
        #expect(Self.html.contains(#"sessionStorage"#))
        #expect(Self.html.contains(#""Authorization": "Bearer " + token()"#))
    }

    /// The hooks the browser driver (Tests/Browser/operator_page.py) finds elements by.
    @Test func hasTheHooksTheBrowserTestUses() {
        for hook in [#"id="login""#, #"id="token""#, #"id="login-submit""#, #"id="app""#, #"id="status""#,
                     #"id="notice""#, #"id="routes""#, #"id="pools""#, #"id="calls""#, #"id="messages""#,
                     #"id="voicemails""#, #""data-member""#, #""data-pool""#, #""data-state""#,
                     #"className: "pause""#, #"className: "resume""#, #"className: "reason""#, "/overview"] {
            #expect(Self.html.contains(hook), "\(hook)")
        }
    }
}
