/// The keywords carriers require a business to honour in texts (CTIA): a customer's whole text,
/// trimmed and in any case, that opts out of texts from a number, opts back in, or asks for help.
package enum TextKeyword: String, Sendable, Equatable, CaseIterable {
    case optOut = "opt_out"
    case optIn = "opt_in"
    case help

    static let optOutWords: Set<String> = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]
    static let optInWords: Set<String> = ["START", "UNSTOP", "YES"]
    static let helpWords: Set<String> = ["HELP", "INFO"]

    /// The keyword `body` is, or nil for an ordinary text ("stop by at 5" is not STOP).
    package static func classify(_ body: String) -> TextKeyword? {
        // Short-circuit: no keyword is longer than 11 characters, and most texts are.
        guard body.utf8.count <= 32 else { return nil }
        let word = word(body)
        if optOutWords.contains(word) { return .optOut }
        if optInWords.contains(word) { return .optIn }
        if helpWords.contains(word) { return .help }
        return nil
    }

    /// The text as a keyword is compared: trimmed and upper-cased (`" stop\n"` is `STOP`).
    package static func word(_ body: String) -> String {
        body.trimmingWhitespace().uppercased()
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks (Unicode white space included).
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
