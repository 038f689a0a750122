/// The outcome of checking a webhook request's signature.
package enum SignatureResult: Sendable, Equatable {
    /// The signature matches the request as signed for `url`.
    case valid(url: String)
    /// A signature header is present but matches none of `triedURLs`.
    case invalid(reason: String, triedURLs: [String])
    /// The request carries no signature header at all.
    case missing

    /// True for `.valid`.
    package var isValid: Bool {
        if case .valid = self { return true }
        return false
    }
}
