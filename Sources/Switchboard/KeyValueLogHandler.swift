import FoundationEssentials
import Logging
#if canImport(Glibc)
import Glibc
#endif
import Platform

/// A swift-log handler that writes one line per event: `LEVEL message key=value key2="quoted value"`.
///
/// Metadata (the handler's, then the metadata provider's, then the event's; later wins) is written with
/// sorted keys. Values containing spaces, quotes, `=`, backslashes or control characters are quoted and
/// escaped, and newlines are escaped everywhere, so one event is always one line. Values of keys that
/// look secret (`token`, `secret`, `password`, `authorization`, or a `key` word such as `signing_key`,
/// `apiKey`) are written as `<redacted>`. Under journald (`$JOURNAL_STREAM` set) each line starts with the
/// syslog priority `<N>` and no timestamp, as journald adds its own; otherwise with an ISO-8601 UTC time.
package struct KeyValueLogHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    package let label: String
    /// True when writing for journald: `<N>` priority prefixes instead of timestamps.
    package let journal: Bool
    /// Receives each finished line; nil: stderr, through `StandardErrorWriter`, as bytes.
    private let output: (@Sendable (String) -> Void)?

    /// - Parameters:
    ///   - environment: read for `JOURNAL_STREAM`.
    ///   - output: receives each finished line, without its newline. Defaults to stderr, through
    ///     `StandardErrorWriter`.
    package init(
        label: String,
        level: Logger.Level = .info,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        metadataProvider: Logger.MetadataProvider? = nil,
        output: (@Sendable (String) -> Void)? = nil
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.journal = !(environment["JOURNAL_STREAM"] ?? "").isEmpty
        self.output = output
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Lines for stderr go to its writer thread, which writes waiting lines together (one `write(2)`
    /// each time, so concurrent lines never interleave).
    package func log(event: LogEvent) {
        var merged: Logger.Metadata
        if metadata.isEmpty && metadataProvider == nil {
            merged = event.metadata ?? [:]
        } else {
            merged = metadata
            if let provided = metadataProvider?.get(), !provided.isEmpty {
                merged.merge(provided) { _, new in new }
            }
            if let fields = event.metadata {
                merged.merge(fields) { _, new in new }
            }
        }
        if let error = event.error, merged["error"] == nil {
            merged["error"] = .string("\(error)")
        }
        // One buffer for the whole line: no intermediate strings to join.
        var line: [UInt8] = []
        line.reserveCapacity(128 + merged.count * 32)
        if journal {
            line += "<\(Self.syslogPriority(event.level))>".utf8
        } else {
            Self.appendTimestamp(to: &line)
            line.append(UInt8(ascii: " "))
        }
        Self.appendLine(level: event.level, message: event.message.description, metadata: merged, to: &line)
        if let output {
            output(String(decoding: line, as: UTF8.self))
        } else {
            // The line is valid UTF-8 already (built from strings): no String made of it only to be read again.
            line.withUnsafeBufferPointer { StandardErrorWriter.shared.append($0) }
        }
        // A notice (start, stop, reload) or worse, and everything before it, is on stderr before
        // `log` returns; info and debug lines (one per request) wait at most 10 ms.
        if event.level >= .notice { StandardErrorWriter.shared.flush() }
    }

    /// The line after its timestamp or priority: `LEVEL message key=value ...`.
    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line: [UInt8] = []
        appendLine(level: level, message: message, metadata: metadata, to: &line)
        return String(decoding: line, as: UTF8.self)
    }

    /// `line`, appended to `line` as bytes: no intermediate strings for the usual plain ASCII values.
    static func appendLine(level: Logger.Level, message: String, metadata: Logger.Metadata, to line: inout [UInt8]) {
        line.reserveCapacity(line.count + 96 + message.utf8.count + metadata.count * 32)
        line += levelName(level).utf8
        line.append(UInt8(ascii: " "))
        line += escapeControls(message).utf8
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line.append(UInt8(ascii: " "))
            if !appendPlain(key, to: &line, backslash: true) { line += sanitizedKey(key).utf8 }
            line.append(UInt8(ascii: "="))
            if isSensitive(key) {
                line += "<redacted>".utf8
            } else {
                let text = text(of: value)
                if !appendPlain(text, to: &line, backslash: false) { line += quotedIfNeeded(text).utf8 }
            }
        }
    }

    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO"
        case .notice: "NOTICE"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    /// syslog(3) priorities as journald reads them from `<N>` prefixes.
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// True for metadata keys whose values must never reach a log: any key containing `token`, `secret`,
    /// `password`, `passwd` or `authorization`, and any whose words (split at `.`, `_`, `-` and camelCase)
    /// include one ending in `key` (`key`, `signing_key`, `apiKey`, `apikey`), case-insensitively.
    static func isSensitive(_ key: String) -> Bool {
        if let verdict = asciiSensitive(key) { return verdict }
        // A program logs a handful of distinct keys: decide each once.
        if let known = sensitivity.withLock({ $0[key] }) { return known }
        let verdict = computeSensitive(key)
        sensitivity.withLock { cache in
            if cache.count > 1024 { cache.removeAll() }
            cache[key] = verdict
        }
        return verdict
    }

    private static let sensitivity = Locked<[String: Bool]>([:])

    /// `computeSensitive` over the bytes of a short ASCII key (every key Switchboard logs), in one pass
    /// without a lock, a copy or a hash: nil for any other key, which takes the cached path.
    static func asciiSensitive(_ key: String) -> Bool? {
        key.withUTF8Bytes { bytes -> Bool? in
            guard bytes.count <= 64, bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            // Words split at anything but letters and digits, and before an upper-case letter that
            // follows a lower-case letter or a digit; one ending in "key" is sensitive.
            var wordLength = 0
            var previousLowercase = false
            for i in 0..<bytes.count {
                let byte = bytes[i]
                if containsSensitiveWord(bytes, at: i) { return true }
                let letterOrDigit = isUpper(byte) || isLower(byte) || isDigitByte(byte)
                if !letterOrDigit || (isUpper(byte) && previousLowercase) {
                    if endsInKey(bytes, end: i, length: wordLength) { return true }
                    wordLength = 0
                }
                guard letterOrDigit else {
                    previousLowercase = false
                    continue
                }
                wordLength += 1
                previousLowercase = isLower(byte) || isDigitByte(byte)
            }
            return endsInKey(bytes, end: bytes.count, length: wordLength)
        }
    }

    /// Whether one of `sensitiveWords` starts at `bytes[start]`, ignoring case: only the word whose
    /// first letter is there is compared.
    private static func containsSensitiveWord(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        switch bytes[start] | 0x20 {
        case UInt8(ascii: "t"): matches(bytes, at: start, "token")
        case UInt8(ascii: "s"): matches(bytes, at: start, "secret")
        case UInt8(ascii: "p"): matches(bytes, at: start, "passwd") || matches(bytes, at: start, "password")
        case UInt8(ascii: "a"): matches(bytes, at: start, "authorization")
        default: false
        }
    }

    /// Whether the lower-case ASCII `word` is at `bytes[start...]`, in either case. (A byte ORed with
    /// 0x20 equals a lower-case letter only if it is that letter in one case or the other.)
    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - start >= count else { return false }
        let letters = word.utf8Start
        for i in 0..<count where bytes[start + i] | 0x20 != letters[i] { return false }
        return true
    }

    /// A key holding any of these (ignoring case) is sensitive, whatever its words
    /// (`containsSensitiveWord` compares the same words).
    private static let sensitiveWords = ["token", "secret", "password", "passwd", "authorization"]

    private static func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
    private static func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    private static func isDigitByte(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Whether the word of `length` letters and digits ending before `end` ends in "key".
    private static func endsInKey(_ bytes: UnsafeBufferPointer<UInt8>, end: Int, length: Int) -> Bool {
        length >= 3 && bytes[end - 3] | 0x20 == UInt8(ascii: "k") && bytes[end - 2] | 0x20 == UInt8(ascii: "e")
            && bytes[end - 1] | 0x20 == UInt8(ascii: "y")
    }

    /// `isSensitive`'s rule, uncached.
    static func computeSensitive(_ key: String) -> Bool {
        let lower = key.lowercased()
        if sensitiveWords.contains(where: lower.contains) { return true }
        var words: [String] = []
        var current = ""
        var previousLowercase = false
        for character in key {
            if !(character.isLetter || character.isNumber) {
                words.append(current)
                current = ""
                previousLowercase = false
                continue
            }
            if character.isUppercase && previousLowercase {
                words.append(current)
                current = ""
            }
            current.append(character)
            previousLowercase = character.isLowercase || character.isNumber
        }
        words.append(current)
        return words.contains { $0.lowercased().hasSuffix("key") }
    }

    private static func text(of value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): "[" + values.map(text(of:)).joined(separator: ", ") + "]"
        case .dictionary(let values):
            "[" + values.keys.sorted().map { key in
                key + ": " + (isSensitive(key) ? "<redacted>" : text(of: values[key]!))
            }.joined(separator: ", ") + "]"
        }
    }

    /// Appends `text` when it is not empty and all of it is printable ASCII other than space, `=`
    /// and `"` (and `\\` unless `backslash`): the usual key or value, written as it is without a copy.
    /// Otherwise appends nothing and returns false (`sanitizedKey` or `quotedIfNeeded` then write it).
    private static func appendPlain(_ text: String, to line: inout [UInt8], backslash: Bool) -> Bool {
        text.withUTF8Bytes { bytes in
            guard !bytes.isEmpty else { return false }
            for byte in bytes where !(byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "=") && byte != UInt8(ascii: "\"")
                                        && (backslash || byte != UInt8(ascii: "\\"))) {
                return false
            }
            line.append(contentsOf: bytes)
            return true
        }
    }

    /// A key `appendPlain` did not take, with what cannot stand in a key replaced by `_`.
    private static func sanitizedKey(_ key: String) -> String {
        guard !key.isEmpty else { return "_" }
        return String(key.unicodeScalars.map { scalar -> Character in
            scalar == "=" || scalar == "\"" || scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F
                ? "_" : Character(scalar)
        })
    }

    /// A value `appendPlain` did not take: as it is when it holds nothing to quote (text beyond ASCII),
    /// else quoted and escaped.
    private static func quotedIfNeeded(_ value: String) -> String {
        let plain = !value.isEmpty && !value.unicodeScalars.contains { scalar in
            scalar == "=" || scalar == "\"" || scalar == "\\" || scalar.properties.isWhitespace
                || scalar.value < 0x20 || scalar.value == 0x7F
        }
        if plain { return value }
        return "\"" + escapeControls(value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")) + "\""
    }

    /// `\n`, `\r`, `\t` and other control characters as visible escapes.
    private static func escapeControls(_ text: String) -> String {
        // ASCII without control characters needs no escaping (U+2028/2029 are not ASCII).
        if text.withUTF8Bytes({ $0.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }) { return text }
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{2028}" || $0 == "\u{2029}" }) else {
            return text
        }
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}":
                escaped += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// Now as `2025-01-31T12:34:56.789Z`. The part up to the seconds is formatted once a second.
    static func timestamp() -> String {
        var text: [UInt8] = []
        appendTimestamp(to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// `timestamp()`, appended as bytes.
    static func appendTimestamp(to text: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let seconds = now.tv_sec
        let prefix = secondsPrefix.withLock { cache -> String in
            if cache.second != seconds || cache.text.isEmpty {
                cache = (seconds, formatSeconds(seconds))
            }
            return cache.text
        }
        let millis = Int(now.tv_nsec / 1_000_000)
        text += prefix.utf8
        text.append(UInt8(ascii: "."))
        for digit in [millis / 100, millis / 10 % 10, millis % 10] { text.append(UInt8(ascii: "0") + UInt8(digit)) }
        text.append(UInt8(ascii: "Z"))
    }

    private static let secondsPrefix = Locked<(second: Int, text: String)>((0, ""))

    private static func formatSeconds(_ seconds: Int) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return padded(Int(parts.tm_year) + 1900, 4) + "-" + padded(Int(parts.tm_mon) + 1, 2) + "-" + padded(Int(parts.tm_mday), 2)
            + "T" + padded(Int(parts.tm_hour), 2) + ":" + padded(Int(parts.tm_min), 2) + ":" + padded(Int(parts.tm_sec), 2)
    }
}
