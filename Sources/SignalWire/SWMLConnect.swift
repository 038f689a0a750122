/// `connect`: dial members. Exactly one of `to`, `serial`, `parallel`, `serial_parallel`.
/// Sets `connect_result` (`connected` | `failed`).
package struct SWMLConnect: Sendable, Equatable, Codable {
    /// Who to dial.
    package enum Destination: Sendable, Equatable {
        /// One E.164 number or `sip:` URI.
        case to(String)
        /// One after the other until one answers.
        case serial([SWMLDial])
        /// All at once; the first to answer wins.
        case parallel([SWMLDial])
        /// Groups in turn, each group rung at once.
        case serialParallel([[SWMLDial]])
    }

    /// What the callee must do before the call is bridged: a URL returning SWML, or methods run
    /// inline on the callee's leg (a `hangup` there refuses the call).
    package enum Confirm: Sendable, Equatable {
        case url(String)
        case methods([SWMLMethod])
    }

    /// The events `call_state_url` is told about.
    package enum CallState: String, Sendable, Codable, CaseIterable {
        case created, ringing, answered, ended
    }

    package var destination: Destination
    /// Caller ID shown to members; SignalWire's default is the caller's number.
    package var from: String?
    /// Seconds to wait for an answer (SignalWire's default: 60).
    package var timeout: Int?
    package var answerOnBridge: Bool?
    /// Ringback URLs played to the caller while members ring.
    package var ringback: [String]?
    package var confirm: Confirm?
    package var confirmTimeout: Int?
    package var callStateURL: String?
    package var callStateEvents: [CallState]?

    package init(
        _ destination: Destination, from: String? = nil, timeout: Int? = nil, answerOnBridge: Bool? = nil,
        ringback: [String]? = nil, confirm: Confirm? = nil, confirmTimeout: Int? = nil,
        callStateURL: String? = nil, callStateEvents: [CallState]? = nil
    ) {
        self.destination = destination
        self.from = from
        self.timeout = timeout
        self.answerOnBridge = answerOnBridge
        self.ringback = ringback
        self.confirm = confirm
        self.confirmTimeout = confirmTimeout
        self.callStateURL = callStateURL
        self.callStateEvents = callStateEvents
    }

    private enum CodingKeys: String, CodingKey {
        case to, serial, parallel
        case serialParallel = "serial_parallel"
        case from, timeout
        case answerOnBridge = "answer_on_bridge"
        case ringback, confirm
        case confirmTimeout = "confirm_timeout"
        case callStateURL = "call_state_url"
        case callStateEvents = "call_state_events"
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch destination {
        case let .to(to): try c.encode(to, forKey: .to)
        case let .serial(dials): try c.encode(dials, forKey: .serial)
        case let .parallel(dials): try c.encode(dials, forKey: .parallel)
        case let .serialParallel(groups): try c.encode(groups, forKey: .serialParallel)
        }
        try c.encodeIfPresent(from, forKey: .from)
        try c.encodeIfPresent(timeout, forKey: .timeout)
        try c.encodeIfPresent(answerOnBridge, forKey: .answerOnBridge)
        try c.encodeIfPresent(ringback, forKey: .ringback)
        switch confirm {
        case let .url(url)?: try c.encode(url, forKey: .confirm)
        case let .methods(methods)?: try c.encode(methods, forKey: .confirm)
        case nil: break
        }
        try c.encodeIfPresent(confirmTimeout, forKey: .confirmTimeout)
        try c.encodeIfPresent(callStateURL, forKey: .callStateURL)
        try c.encodeIfPresent(callStateEvents, forKey: .callStateEvents)
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let to = try c.decodeIfPresent(String.self, forKey: .to) {
            destination = .to(to)
        } else if let dials = try c.decodeIfPresent([SWMLDial].self, forKey: .serial) {
            destination = .serial(dials)
        } else if let dials = try c.decodeIfPresent([SWMLDial].self, forKey: .parallel) {
            destination = .parallel(dials)
        } else if let groups = try c.decodeIfPresent([[SWMLDial]].self, forKey: .serialParallel) {
            destination = .serialParallel(groups)
        } else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: c.codingPath, debugDescription: "connect needs to, serial, parallel or serial_parallel"
            ))
        }
        from = try c.decodeIfPresent(String.self, forKey: .from)
        timeout = try c.decodeIfPresent(Int.self, forKey: .timeout)
        answerOnBridge = try c.decodeIfPresent(Bool.self, forKey: .answerOnBridge)
        ringback = try c.decodeIfPresent([String].self, forKey: .ringback)
        if let url = try? c.decode(String.self, forKey: .confirm) {
            confirm = .url(url)
        } else {
            confirm = try c.decodeIfPresent([SWMLMethod].self, forKey: .confirm).map(Confirm.methods)
        }
        confirmTimeout = try c.decodeIfPresent(Int.self, forKey: .confirmTimeout)
        callStateURL = try c.decodeIfPresent(String.self, forKey: .callStateURL)
        callStateEvents = try c.decodeIfPresent([CallState].self, forKey: .callStateEvents)
    }
}

/// One leg of a `serial` or `parallel` connect: `{"to": ..., "timeout": ...}`.
package struct SWMLDial: Sendable, Equatable, Codable {
    package var to: String
    /// Seconds this leg rings; keep it under the carrier's voicemail pick-up (about 20 s).
    package var timeout: Int?

    package init(to: String, timeout: Int? = nil) {
        self.to = to
        self.timeout = timeout
    }

    private enum CodingKeys: String, CodingKey { case to, timeout }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(to, forKey: .to)
        try c.encodeIfPresent(timeout, forKey: .timeout)
    }
}
