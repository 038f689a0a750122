/// `play`: one `url` or several `urls` (`https://...`, `say:text`, `ring:us`, `silence:2`).
package struct SWMLPlay: Sendable, Equatable, Codable {
    package var urls: [String]
    package var sayVoice: String?
    package var sayLanguage: String?

    /// Plays `urls` in order; one URL is written as `url`, several as `urls`.
    package init(urls: [String], sayVoice: String? = nil, sayLanguage: String? = nil) {
        self.urls = urls
        self.sayVoice = sayVoice
        self.sayLanguage = sayLanguage
    }

    package init(url: String, sayVoice: String? = nil, sayLanguage: String? = nil) {
        self.init(urls: [url], sayVoice: sayVoice, sayLanguage: sayLanguage)
    }

    /// Text to speech: `say:` followed by the text.
    package static func say(_ text: String, voice: String? = nil, language: String? = nil) -> SWMLPlay {
        SWMLPlay(url: "say:" + text, sayVoice: voice, sayLanguage: language)
    }

    private enum CodingKeys: String, CodingKey {
        case url, urls
        case sayVoice = "say_voice"
        case sayLanguage = "say_language"
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if urls.count == 1 { try c.encode(urls[0], forKey: .url) } else { try c.encode(urls, forKey: .urls) }
        try c.encodeIfPresent(sayVoice, forKey: .sayVoice)
        try c.encodeIfPresent(sayLanguage, forKey: .sayLanguage)
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let url = try c.decodeIfPresent(String.self, forKey: .url) {
            urls = [url]
        } else {
            urls = try c.decode([String].self, forKey: .urls)
        }
        sayVoice = try c.decodeIfPresent(String.self, forKey: .sayVoice)
        sayLanguage = try c.decodeIfPresent(String.self, forKey: .sayLanguage)
    }
}

/// `prompt`: plays `play` and collects digits into `prompt_value` (press 1 to accept a call).
package struct SWMLPrompt: Sendable, Equatable, Codable {
    /// One URL is written as a string, several as an array.
    package var play: [String]
    package var sayVoice: String?
    package var maxDigits: Int?
    package var terminators: String?
    package var initialTimeout: Double?
    package var digitTimeout: Double?

    package init(
        play: [String], sayVoice: String? = nil, maxDigits: Int? = nil, terminators: String? = nil,
        initialTimeout: Double? = nil, digitTimeout: Double? = nil
    ) {
        self.play = play
        self.sayVoice = sayVoice
        self.maxDigits = maxDigits
        self.terminators = terminators
        self.initialTimeout = initialTimeout
        self.digitTimeout = digitTimeout
    }

    private enum CodingKeys: String, CodingKey {
        case play
        case sayVoice = "say_voice"
        case maxDigits = "max_digits"
        case terminators
        case initialTimeout = "initial_timeout"
        case digitTimeout = "digit_timeout"
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if play.count == 1 { try c.encode(play[0], forKey: .play) } else { try c.encode(play, forKey: .play) }
        try c.encodeIfPresent(sayVoice, forKey: .sayVoice)
        try c.encodeIfPresent(maxDigits, forKey: .maxDigits)
        try c.encodeIfPresent(terminators, forKey: .terminators)
        try c.encodeIfPresent(initialTimeout, forKey: .initialTimeout)
        try c.encodeIfPresent(digitTimeout, forKey: .digitTimeout)
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let one = try? c.decode(String.self, forKey: .play) {
            play = [one]
        } else {
            play = try c.decode([String].self, forKey: .play)
        }
        sayVoice = try c.decodeIfPresent(String.self, forKey: .sayVoice)
        maxDigits = try c.decodeIfPresent(Int.self, forKey: .maxDigits)
        terminators = try c.decodeIfPresent(String.self, forKey: .terminators)
        initialTimeout = try c.decodeIfPresent(Double.self, forKey: .initialTimeout)
        digitTimeout = try c.decodeIfPresent(Double.self, forKey: .digitTimeout)
    }
}
