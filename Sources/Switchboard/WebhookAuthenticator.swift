import FoundationEssentials
import HTTPServer
import Logging
import SignalWire
import Platform

/// Decides whether a webhook request really comes from SignalWire (README "Security").
///
/// The signed URL is rebuilt from the configured public URL plus the request-target exactly as
/// received; `Host` and `X-Forwarded-*` are never read. With credentials in the public URL, HTTP
/// Basic auth is required as well.
package struct WebhookAuthenticator: Sendable {
    package enum Verdict: Equatable, Sendable {
        case allowed
        /// Answer 401 (Basic credentials missing or wrong) or 403 (bad signature) with `reason`.
        case denied(status: Int, reason: String)
    }

    let publicURL: PublicURL?
    let signature: WebhookSignature?
    /// The public URL parsed once for the signed-URL candidates of every request.
    let signedURLs: SignatureURL.Prepared
    let mode: ServeConfig.SignatureMode
    let logger: Logger

    package init(publicURL: PublicURL?, signingKey: String?, mode: ServeConfig.SignatureMode, logger: Logger) {
        self.publicURL = publicURL
        self.signature = signingKey.map { WebhookSignature(signingKey: $0) }
        self.signedURLs = SignatureURL.Prepared(publicURL: publicURL?.raw ?? "")
        self.mode = mode
        self.logger = logger
    }

    /// Throws the refusal as its answer: 401 with a Basic challenge, or 403.
    package func authorize(_ request: HTTPRequest) throws(HTTPError) {
        guard case .denied(let status, let reason) = check(request) else { return }
        throw HTTPError(status, reason, headers: status == 401 ? ["WWW-Authenticate": "Basic realm=\"switchboard\""] : [:])
    }

    package func check(_ request: HTTPRequest) -> Verdict {
        guard basicAllows(request) else { return .denied(status: 401, reason: "HTTP Basic credentials required") }
        guard let (result, candidates) = signatureResult(request) else { return .allowed }
        switch result {
        case .valid:
            return .allowed
        case .missing, .invalid:
            let reason = result == .missing ? "missing X-SignalWire-Signature" : "invalid signature"
            var metadata: Logger.Metadata = ["request.id": "\(request.id)", "path": "\(request.path)", "reason": "\(reason)"]
            if mode == .log || logger.logLevel <= .debug {
                metadata["urls.tried"] = "\(candidates.map(SignatureURL.redactingPassword).joined(separator: " "))"
            }
            if publicURL == nil { metadata["hint"] = "set SWITCHBOARD_PUBLIC_URL to the URL SignalWire calls" }
            if mode == .log {
                logger.warning("Signature check failed; serving anyway (SWITCHBOARD_SIGNATURES=log)", metadata: metadata)
                return .allowed
            }
            logger.warning("Signature check failed", metadata: metadata)
            return .denied(status: 403, reason: reason)
        }
    }

    /// True unless the public URL carries credentials that the request's Basic header lacks.
    func basicAllows(_ request: HTTPRequest) -> Bool {
        guard let publicURL, let user = publicURL.user else { return true }
        guard let header = request.headers["Authorization"] else { return false }
        return Self.basicMatches(header, user: user, password: publicURL.password ?? "")
    }

    /// The request's signature checked against every URL it may have been signed for (those URLs
    /// too); nil without a signing key. Logs nothing: `check` and `/probe` say what they found.
    func signatureResult(_ request: HTTPRequest) -> (SignatureResult, [String])? {
        guard let signature else { return nil }
        let candidates = signedURLs.candidates(requestTarget: request.target)
        let params: [(String, String)]? = request.hasJSONBody ? nil : (request.method == "POST" ? request.formItems : [])
        return (signature.validate(candidateURLs: candidates, headers: request.headers, rawBody: request.body, formParams: params), candidates)
    }

    /// `Authorization: Basic base64(user:password)`, compared in constant time.
    static func basicMatches(_ header: String, user: String, password: String) -> Bool {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = Data(base64Encoded: String(parts[1]).trimmingWhitespace()) else { return false }
        return ConstantTime.equals(Array(decoded), Array("\(user):\(password)".utf8))
    }
}
