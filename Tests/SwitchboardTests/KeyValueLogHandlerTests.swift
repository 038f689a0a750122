import Foundation
import Logging
import Testing
@testable import Switchboard

@Suite struct KeyValueLogHandlerTests {
    @Test func writesTimestampLevelMessageAndSortedFields() throws {
        let sink = LineSink()
        var logger = Logger(label: "switchboard") { KeyValueLogHandler(label: $0, environment: [:], output: sink.append) }
        logger[metadataKey: "request.id"] = "r-1"
        logger.info("Routed call", metadata: ["pool": "sales", "call.id": "CA1", "member": "+1 555 111"])

        let line = try #require(sink.lines.first)
        #expect(sink.lines.count == 1)
        let timestamp = String(line.prefix(24))
        #expect(timestamp.count == 24 && timestamp.hasSuffix("Z") && timestamp.dropFirst(10).first == "T")
        #expect(ISO8601DateFormatter.withFractionalSeconds.date(from: timestamp).map { abs($0.timeIntervalSinceNow) < 60 } == true)
        #expect(line.dropFirst(25) == #"INFO Routed call call.id=CA1 member="+1 555 111" pool=sales request.id=r-1"#)
    }

    @Test func everyLevelIsNamedInCapitals() {
        for level in Logger.Level.allCases {
            #expect(KeyValueLogHandler.line(level: level, message: "m", metadata: [:]) == level.rawValue.uppercased() + " m")
        }
    }

    @Test func journaldLinesCarryThePriorityAndNoTimestamp() {
        let sink = LineSink()
        var logger = Logger(label: "switchboard") {
            KeyValueLogHandler(label: $0, environment: ["JOURNAL_STREAM": "8:12345"], output: sink.append)
        }
        logger.logLevel = .trace
        logger.trace("t")
        logger.debug("d")
        logger.info("Listening", metadata: ["port": "8080"])
        logger.notice("n")
        logger.warning("w")
        logger.error("e")
        logger.critical("c")
        #expect(sink.lines == ["<7>TRACE t", "<7>DEBUG d", "<6>INFO Listening port=8080", "<5>NOTICE n", "<4>WARNING w", "<3>ERROR e", "<2>CRITICAL c"])
    }

    @Test func quotesAndEscapesSoOneEventIsOneLine() {
        let line = KeyValueLogHandler.line(level: .warning, message: "Bad\nrequest", metadata: [
            "space": "a b", "quote": "say \"hi\"", "equals": "k=v", "backslash": #"C:\dir"#,
            "newline": "one\ntwo\r\n", "empty": "", "tab": "a\tb", "plain": "+15550000001",
            "list": .array(["x", "y"]), "number": .stringConvertible(42), "bad name": "v",
        ])
        #expect(!line.contains("\n") && !line.contains("\r"))
        // Keys may hold a backslash, values not; text beyond ASCII is kept unless it is a space.
        #expect(KeyValueLogHandler.line(level: .info, message: "m", metadata: [#"a\b"#: "café", "k=": "x\u{00A0}y", "é": "1"])
                == "INFO m " + #"a\b=café k_="x\#u{00A0}y" é=1"#)
        #expect(line == #"WARNING Bad\nrequest backslash="C:\\dir" bad_name=v empty="" equals="k=v" list="[x, y]" newline="one\ntwo\r\n" number=42 plain=+15550000001 quote="say \"hi\"" space="a b" tab="a\tb""#)
    }

    @Test func redactsSecretLookingKeys() {
        let line = KeyValueLogHandler.line(level: .info, message: "Configured", metadata: [
            "signalwire.api_token": "PT123", "SIGNALWIRE_SIGNING_KEY": "PSK", "signingKey": "k1", "apikey": "k2",
            "password": "hunter2", "authorization": "Bearer abc", "client_secret": "s", "key": "k3",
            "keys": "3", "keyboard": "us", "pool": "sales",
            "request": .dictionary(["token": "t", "path": "/voice"]),
        ])
        for secret in ["PT123", "PSK", "k1", "k2", "k3", "hunter2", "Bearer", "abc"] {
            #expect(!line.contains(secret), "\(secret)")
        }
        #expect(line.contains("signalwire.api_token=<redacted>"))
        #expect(line.contains("SIGNALWIRE_SIGNING_KEY=<redacted>"))
        #expect(line.contains("authorization=<redacted>"))
        #expect(line.contains("client_secret=<redacted>"))
        #expect(line.contains("keyboard=us keys=3"))
        #expect(line.contains("pool=sales"))
        #expect(line.contains(#"request="[path: /voice, token: <redacted>]""#))
    }

    /// The cached verdict is the rule's, the first time a key is seen and after, for every key built here.
    @Test func cachedVerdictsAgreeWithTheRule() {
        let words = ["", "key", "Key", "KEY", "api", "signing", "token", "Secret", "pass", "passwd", "monkey", "keys",
                     "keyboard", "x9", "Authorization", "pool", "id", "aKey", "APIKey", "k"]
        let separators = ["", ".", "_", "-", " ", "9", "/"]
        var checked = 0
        for a in words {
            for separator in separators {
                for b in words {
                    let key = a + separator + b
                    // ASCII keys take the byte scan, which must give the rule's verdict.
                    #expect(KeyValueLogHandler.asciiSensitive(key) == KeyValueLogHandler.computeSensitive(key), "\(key), bytes")
                    #expect(KeyValueLogHandler.isSensitive(key) == KeyValueLogHandler.computeSensitive(key), "\(key)")
                    #expect(KeyValueLogHandler.isSensitive(key) == KeyValueLogHandler.computeSensitive(key), "\(key), cached")
                    checked += 1
                }
            }
        }
        #expect(checked == words.count * separators.count * words.count)
        #expect(KeyValueLogHandler.asciiSensitive("clé_key") == nil)
        #expect(KeyValueLogHandler.asciiSensitive(String(repeating: "k", count: 65)) == nil)
        #expect(!KeyValueLogHandler.isSensitive("clé"))
        #expect(KeyValueLogHandler.isSensitive("clé_key"))
    }

    /// The one-pass byte scan against the rule on random ASCII keys: pieces of the sensitive words in
    /// random case, "key" endings, separators, digits and other printable bytes.
    @Test func byteScanAgreesWithTheRuleOnRandomKeys() {
        var random = SystemRandomNumberGenerator()
        let pieces = ["tok", "token", "TOKEN", "sec", "secret", "Secret", "pass", "passw", "passwd", "password", "PassWord",
                      "auth", "authorization", "AUTHORIZATION", "key", "Key", "KEY", "ke", "y", "k", "api", "id", "pool"]
        let bytes = Array(" !\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~".utf8)
        for _ in 0..<3000 {
            var key = ""
            for _ in 0..<Int.random(in: 0...5, using: &random) {
                if Bool.random(using: &random) {
                    key += pieces.randomElement(using: &random)!
                } else {
                    key += String(UnicodeScalar(bytes.randomElement(using: &random)!))
                }
            }
            guard key.utf8.count <= 64 else { continue }
            #expect(KeyValueLogHandler.asciiSensitive(key) == KeyValueLogHandler.computeSensitive(key), "\(key)")
        }
    }

    @Test func membersAreMaskedWithoutCountingCharacters() {
        #expect(Redact.member("+15551111112") == "+1******1112")
        #expect(Redact.member("+1555") == "*****")
        #expect(Redact.member("1234567") == "12*4567")
        #expect(Redact.member("sip:bob@example.com") == "sip:b***@example.com")
        #expect(Redact.member("+1555é1111112") == "+1*******1112")
        // Longer than a small string: masked on the heap the same way.
        #expect(Redact.member("+442071234567890123") == "+4*************0123")
        #expect(Redact.member("+155511") == "+1*5511")
    }

    @Test func mergesHandlerProviderAndEventMetadataWithEventWinning() {
        let sink = LineSink()
        let provider = Logger.MetadataProvider { ["trace.id": "t-9", "pool": "provided"] }
        var handler = KeyValueLogHandler(label: "x", environment: ["JOURNAL_STREAM": "1:1"], metadataProvider: provider, output: sink.append)
        handler[metadataKey: "pool"] = "handler"
        handler[metadataKey: "instance"] = "a"
        #expect(handler[metadataKey: "instance"] == "a")
        handler.log(event: LogEvent(
            level: .error, message: "Store failed", error: StoreFailure(),
            metadata: ["pool": "event"], source: "Store", file: #fileID, function: #function, line: #line
        ))
        #expect(sink.lines == [#"<3>ERROR Store failed error="disk I/O error" instance=a pool=event trace.id=t-9"#])
    }

    @Test func priorityMappingFollowsSyslog() {
        #expect(Logger.Level.allCases.map(KeyValueLogHandler.syslogPriority) == [7, 7, 6, 5, 4, 3, 2])
    }
}

private struct StoreFailure: Error, CustomStringConvertible {
    var description: String { "disk I/O error" }
}

/// Collects the handler's lines from any thread.
final class LineSink: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.withLock { stored } }
    var append: @Sendable (String) -> Void { { [self] line in lock.withLock { stored.append(line) } } }
}

extension ISO8601DateFormatter {
    fileprivate static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
