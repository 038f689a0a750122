import CCurl
import FoundationEssentials
import Platform

/// One plain-text email for `CurlClient.sendMail`.
package struct CurlMail: Sendable {
    /// `smtp://host:port` or `smtps://host:port`.
    package var url: String
    package var from: String
    package var to: [String]
    package var subject: String
    /// Plain text; lines end in `\n` or `\r\n`.
    package var body: String
    package var username: String?
    package var password: String?
    /// STARTTLS must succeed before anything is sent (for `smtp://`).
    package var requireTLS: Bool
    package var connectTimeout: Double
    package var timeout: Double

    package init(url: String, from: String, to: [String], subject: String, body: String, username: String? = nil,
                password: String? = nil, requireTLS: Bool = true, connectTimeout: Double = 10, timeout: Double = 30) {
        self.url = url
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.username = username
        self.password = password
        self.requireTLS = requireTLS
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    /// The RFC 5322 message: headers, a blank line, the body, CRLF line endings throughout. libcurl
    /// doubles a leading dot on a line itself.
    package func message(date: Date = Date(), id: String = UUID().uuidString) -> [UInt8] {
        let domain = from.split(separator: "@").last.map(String.init) ?? "switchboard"
        var lines = [
            "Date: \(Self.rfc2822(date))",
            "From: \(from)",
            "To: \(to.joined(separator: ", "))",
            "Subject: \(Self.encodedWord(subject))",
            "Message-ID: <\(id)@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
        ]
        lines += body.replacingAll("\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// ASCII as it is; anything else as an RFC 2047 encoded word.
    static func encodedWord(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return text }
        return "=?UTF-8?B?" + Data(text.utf8).base64EncodedString() + "?="
    }

    /// `Sun, 06 Dec 2026 13:07:27 +0000`.
    static func rfc2822(_ date: Date) -> String {
        let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let iso = date.formatted(.iso8601) // 2026-12-06T13:07:27Z
        let parts = iso.split(whereSeparator: { "-T:Z".contains($0) }).compactMap { Int($0) }
        guard parts.count == 6 else { return iso }
        // 1 January 1970 was a Thursday.
        let day = Int((date.timeIntervalSince1970 / 86400).rounded(.down))
        let weekday = days[((day % 7) + 7) % 7]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(weekday), \(two(parts[2])) \(months[parts[1] - 1]) \(parts[0]) \(two(parts[3])):\(two(parts[4])):\(two(parts[5])) +0000"
    }

    /// A header value or address that would end a header line early.
    func injection() -> String? {
        for (name, value) in [("from", from), ("subject", subject)] + to.map({ ("to", $0) }) where value.contains(where: { $0 == "\r" || $0 == "\n" }) {
            return "the \(name) of an email must not contain a line break"
        }
        return to.isEmpty ? "an email needs a recipient" : nil
    }
}

extension CurlClient {
    /// Sends `mail` over SMTP and waits for the server to accept it.
    /// - Throws: `CurlError` when it was not accepted (refused connection, STARTTLS or login failed, a
    ///   recipient refused); the password is never part of the error.
    package func sendMail(_ mail: CurlMail) throws {
        if let problem = mail.injection() { throw CurlError(code: 3, message: problem) }
        let source = MailSource(mail.message())
        let sourcePointer = Unmanaged.passUnretained(source).toOpaque()
        var recipientList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(recipientList) }
        for address in mail.to { recipientList = curl_slist_append(recipientList, "<\(address)>") }
        let recipients = recipientList
        try transfer(url: mail.url, protocols: "smtp,smtps", connectTimeout: mail.connectTimeout, timeout: mail.timeout, options: { handle in
            var steps: [() -> CURLcode] = [
                { sb_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(mail.from)>") },
                { sb_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients) },
                { sb_curl_setopt_long(handle, CURLOPT_UPLOAD, 1) },
                { sb_curl_setopt_read_function(handle, curlReadMail) },
                { sb_curl_setopt_pointer(handle, CURLOPT_READDATA, sourcePointer) },
                // CURLUSESSL_ALL (3): STARTTLS or nothing.
                { sb_curl_setopt_long(handle, CURLOPT_USE_SSL, mail.requireTLS ? 3 : 0) },
            ]
            if let user = mail.username {
                steps.append { sb_curl_setopt_string(handle, CURLOPT_USERNAME, user) }
                steps.append { sb_curl_setopt_string(handle, CURLOPT_PASSWORD, mail.password ?? "") }
            }
            return steps
        }, failure: { code, detail in
            guard let password = mail.password, !password.isEmpty else { return CurlError(code, detail: detail) }
            return CurlError(code, detail: detail.replacingAll(password, with: "***"))
        }, done: { _ in })
    }
}

/// The message libcurl uploads, read in pieces through `curlReadMail`.
final class MailSource {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }
}

/// `CURLOPT_READFUNCTION`: the next piece of the message, 0 at its end.
private func curlReadMail(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?) -> Int {
    guard let userdata, let buffer else { return 0 }
    let source = Unmanaged<MailSource>.fromOpaque(userdata).takeUnretainedValue()
    let length = min(size * count, source.bytes.count - source.offset)
    guard length > 0 else { return 0 }
    source.bytes.withUnsafeBytes { all in
        UnsafeMutableRawPointer(buffer).copyMemory(from: all.baseAddress! + source.offset, byteCount: length)
    }
    source.offset += length
    return length
}
