import FoundationEssentials
import HTTPServer
import SignalWire

/// What `POST /probe` answers: `switchboard doctor` sends a request signed for the public URL
/// through that URL, and learns from the answer that this daemon answered it, what request-target
/// arrived, and whether its signature verified (so SignalWire's will too).
package struct ProbeAnswer: Codable, Sendable, Equatable {
    package var service: String
    package var version: String
    /// The `nonce` form field, echoed.
    package var nonce: String
    /// The request-target as it arrived (after any proxy).
    package var target: String
    /// `valid`, `invalid`, `missing`, or `off` (no signing key).
    package var signature: String

    package init(service: String = "switchboard", version: String = SwitchboardVersion.current, nonce: String, target: String, signature: String) {
        self.service = service
        self.version = version
        self.nonce = nonce
        self.target = target
        self.signature = signature
    }
}

/// `POST /probe`: checks Basic credentials like every webhook (401 otherwise), then answers the
/// signature's verdict whatever `SWITCHBOARD_SIGNATURES` says, without logging it as a refusal and
/// without touching any state. It tells a caller nothing secret: the target is what it sent.
struct ProbeEndpoint: Sendable {
    let authenticator: WebhookAuthenticator

    func answer(_ request: HTTPRequest) throws -> HTTPResponse {
        guard authenticator.basicAllows(request) else {
            throw HTTPError(401, "HTTP Basic credentials required", headers: ["WWW-Authenticate": "Basic realm=\"switchboard\""])
        }
        let signature = switch authenticator.signatureResult(request)?.0 {
        case nil: "off"
        case .valid: "valid"
        case .invalid: "invalid"
        case .missing: "missing"
        }
        let nonce = request.formItems.first { $0.0 == "nonce" }?.1 ?? ""
        let answer = ProbeAnswer(nonce: nonce, target: request.target, signature: signature)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return HTTPResponse(status: 200, contentType: "application/json", body: Array(try encoder.encode(answer)))
    }
}
