/// `record`: foreground recording, for voicemail. Sets `record_url`; `status_url` is told when done.
/// (`record_call` is the background recorder and is not what voicemail wants.)
package struct SWMLRecord: Sendable, Equatable, Codable {
    package var beep: Bool?
    /// `wav` or `mp3`.
    package var format: String?
    /// Digits that end the recording, e.g. `#`.
    package var terminators: String?
    package var endSilenceTimeout: Double?
    /// Seconds.
    package var maxLength: Int?
    package var statusURL: String?

    package init(
        beep: Bool? = nil, format: String? = nil, terminators: String? = nil, endSilenceTimeout: Double? = nil,
        maxLength: Int? = nil, statusURL: String? = nil
    ) {
        self.beep = beep
        self.format = format
        self.terminators = terminators
        self.endSilenceTimeout = endSilenceTimeout
        self.maxLength = maxLength
        self.statusURL = statusURL
    }

    private enum CodingKeys: String, CodingKey {
        case beep, format, terminators
        case endSilenceTimeout = "end_silence_timeout"
        case maxLength = "max_length"
        case statusURL = "status_url"
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(beep, forKey: .beep)
        try c.encodeIfPresent(format, forKey: .format)
        try c.encodeIfPresent(terminators, forKey: .terminators)
        try c.encodeIfPresent(endSilenceTimeout, forKey: .endSilenceTimeout)
        try c.encodeIfPresent(maxLength, forKey: .maxLength)
        try c.encodeIfPresent(statusURL, forKey: .statusURL)
    }
}

/// `send_sms`: a text sent during the call (e.g. telling a member about a voicemail).
package struct SWMLSendSMS: Sendable, Equatable, Codable {
    package var toNumber: String
    package var fromNumber: String
    package var body: String?
    package var media: [String]?

    package init(toNumber: String, fromNumber: String, body: String? = nil, media: [String]? = nil) {
        self.toNumber = toNumber
        self.fromNumber = fromNumber
        self.body = body
        self.media = media
    }

    private enum CodingKeys: String, CodingKey {
        case toNumber = "to_number"
        case fromNumber = "from_number"
        case body, media
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(toNumber, forKey: .toNumber)
        try c.encode(fromNumber, forKey: .fromNumber)
        try c.encodeIfPresent(body, forKey: .body)
        try c.encodeIfPresent(media, forKey: .media)
    }
}
