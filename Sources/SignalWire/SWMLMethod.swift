/// One SWML method: encodes as an object with a single key, the method's name.
package indirect enum SWMLMethod: Sendable, Equatable, Codable {
    /// `{"answer":{}}`
    case answer
    /// `{"hangup":{}}`, or with a `reason` (`hangup`, `busy`, `decline`).
    case hangup(reason: String? = nil)
    /// Play files, `say:` speech, `ring:` or `silence:`.
    case play(SWMLPlay)
    /// Play and collect digits into `prompt_value`.
    case prompt(SWMLPrompt)
    /// Dial one destination, a serial hunt, a parallel ring or both; sets `connect_result`.
    case connect(SWMLConnect)
    /// Record in the foreground (voicemail); sets `record_url`.
    case record(SWMLRecord)
    /// Send a text message.
    case sendSMS(SWMLSendSMS)
    /// Continue in another section or SWML URL, without coming back.
    case transfer(dest: String)
    /// Set variables.
    case set([String: String])
    /// Unset variables.
    case unset([String])
    /// JavaScript conditions, the first true one runs.
    case cond([SWMLCondition])
    /// Run the case matching a variable's value.
    case `switch`(SWMLSwitch)

    /// The method's name in SWML.
    package var name: String {
        switch self {
        case .answer: "answer"
        case .hangup: "hangup"
        case .play: "play"
        case .prompt: "prompt"
        case .connect: "connect"
        case .record: "record"
        case .sendSMS: "send_sms"
        case .transfer: "transfer"
        case .set: "set"
        case .unset: "unset"
        case .cond: "cond"
        case .switch: "switch"
        }
    }

    private enum ReasonKey: String, CodingKey { case reason }
    private enum DestKey: String, CodingKey { case dest }
    private struct Empty: Codable {}

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: SWMLKey.self)
        let key = SWMLKey(name)
        switch self {
        case .answer: try c.encode(Empty(), forKey: key)
        case let .hangup(reason):
            var h = c.nestedContainer(keyedBy: ReasonKey.self, forKey: key)
            try h.encodeIfPresent(reason, forKey: .reason)
        case let .play(v): try c.encode(v, forKey: key)
        case let .prompt(v): try c.encode(v, forKey: key)
        case let .connect(v): try c.encode(v, forKey: key)
        case let .record(v): try c.encode(v, forKey: key)
        case let .sendSMS(v): try c.encode(v, forKey: key)
        case let .transfer(dest):
            var t = c.nestedContainer(keyedBy: DestKey.self, forKey: key)
            try t.encode(dest, forKey: .dest)
        case let .set(variables):
            var s = c.nestedContainer(keyedBy: SWMLKey.self, forKey: key)
            try s.encodeSorted(variables)
        case let .unset(names): try c.encode(names, forKey: key)
        case let .cond(conditions): try c.encode(conditions, forKey: key)
        case let .switch(v): try c.encode(v, forKey: key)
        }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SWMLKey.self)
        guard c.allKeys.count == 1, let key = c.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "an SWML method is an object with exactly one key"
            ))
        }
        switch key.stringValue {
        case "answer": self = .answer
        case "hangup":
            let h = try c.nestedContainer(keyedBy: ReasonKey.self, forKey: key)
            self = .hangup(reason: try h.decodeIfPresent(String.self, forKey: .reason))
        case "play": self = .play(try c.decode(SWMLPlay.self, forKey: key))
        case "prompt": self = .prompt(try c.decode(SWMLPrompt.self, forKey: key))
        case "connect": self = .connect(try c.decode(SWMLConnect.self, forKey: key))
        case "record": self = .record(try c.decode(SWMLRecord.self, forKey: key))
        case "send_sms": self = .sendSMS(try c.decode(SWMLSendSMS.self, forKey: key))
        case "transfer":
            let t = try c.nestedContainer(keyedBy: DestKey.self, forKey: key)
            self = .transfer(dest: try t.decode(String.self, forKey: .dest))
        case "set": self = .set(try c.decode([String: String].self, forKey: key))
        case "unset":
            if let one = try? c.decode(String.self, forKey: key) {
                self = .unset([one])
            } else {
                self = .unset(try c.decode([String].self, forKey: key))
            }
        case "cond": self = .cond(try c.decode([SWMLCondition].self, forKey: key))
        case "switch": self = .switch(try c.decode(SWMLSwitch.self, forKey: key))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c, debugDescription: "SWML method \(key.stringValue) is not modelled here"
            )
        }
    }
}
