import Foundation
import Testing
import TestSupport
@testable import SignalWire

/// Email over SMTP with libcurl, against a real SMTP server on loopback (TestSupport's `SMTPSink`).
@Suite(.serialized)
struct CurlMailTests {
    static func mail(_ sink: SMTPSink, to: [String] = ["team@example.com"], subject: String = "Missed call from +12135550123",
                     body: String = "Caller: +12135550123\n.hidden dot line\nbye\n", user: String? = nil, password: String? = nil) -> CurlMail {
        CurlMail(url: "smtp://127.0.0.1:\(sink.port)", from: "switchboard@example.com", to: to, subject: subject, body: body,
                 username: user, password: password, requireTLS: false, connectTimeout: 5, timeout: 10)
    }

    @Test func aMailArrivesWithItsEnvelopeHeadersAndBody() throws {
        let sink = try SMTPSink()
        defer { sink.shutdown() }
        try CurlClient().sendMail(Self.mail(sink, to: ["team@example.com", "boss@example.com"]))
        #expect(sink.wait(for: 1, timeout: 5))
        let mail = try #require(sink.mails.first)
        #expect(mail.from == "switchboard@example.com")
        #expect(mail.recipients == ["team@example.com", "boss@example.com"])
        #expect(mail.data.contains("Subject: Missed call from +12135550123\r\n"))
        #expect(mail.data.contains("From: switchboard@example.com\r\nTo: team@example.com, boss@example.com\r\n"))
        #expect(mail.data.contains("Content-Type: text/plain; charset=utf-8\r\n"))
        #expect(mail.data.hasSuffix("\r\n\r\nCaller: +12135550123\r\n.hidden dot line\r\nbye\r\n"), "a line starting with a dot survives")
        #expect(mail.user == nil)
    }

    @Test func aNonASCIISubjectIsAnEncodedWordAndCredentialsAreSent() throws {
        let sink = try SMTPSink()
        defer { sink.shutdown() }
        try CurlClient().sendMail(Self.mail(sink, subject: "Mensaje de voz: José", user: "mailer", password: "pa55word"))
        #expect(sink.wait(for: 1, timeout: 5))
        let mail = try #require(sink.mails.first)
        #expect(mail.data.contains("Subject: =?UTF-8?B?\(Data("Mensaje de voz: José".utf8).base64EncodedString())?="))
        #expect(mail.user == "mailer")
        #expect(mail.password == "pa55word")
    }

    @Test func refusalsAreThrownAndThePasswordNeverShown() throws {
        let sink = try SMTPSink(refuseFirst: 1, reject: ["nobody@example.com"])
        defer { sink.shutdown() }
        let client = CurlClient()
        #expect(throws: CurlError.self) { try client.sendMail(Self.mail(sink, password: "pa55word")) }
        do {
            try client.sendMail(Self.mail(sink, to: ["nobody@example.com"], user: "u", password: "pa55word"))
            Issue.record("a refused recipient must throw")
        } catch {
            #expect(!"\(error)".contains("pa55word"))
        }
        try client.sendMail(Self.mail(sink))
        #expect(sink.wait(for: 1, timeout: 5))
        #expect(sink.mails.count == 1)
        let closed = try FreeLoopbackPort.pick()
        #expect(throws: CurlError.self) {
            try client.sendMail(CurlMail(url: "smtp://127.0.0.1:\(closed)", from: "a@example.com", to: ["b@example.com"],
                                         subject: "s", body: "b", requireTLS: false, connectTimeout: 2, timeout: 4))
        }
    }

    @Test func headerInjectionIsRefused() {
        let mail = CurlMail(url: "smtp://127.0.0.1:1", from: "a@example.com", to: ["b@example.com"], subject: "hi\r\nBcc: x@example.com", body: "")
        #expect(throws: CurlError.self) { try CurlClient().sendMail(mail) }
        #expect(CurlMail.rfc2822(Date(timeIntervalSince1970: 1_796_562_447)) == "Sun, 06 Dec 2026 13:07:27 +0000")
    }
}

/// A port nothing listens on: bound, read, closed.
enum FreeLoopbackPort {
    static func pick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
