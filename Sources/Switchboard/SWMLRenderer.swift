import FoundationEssentials
import Routing
import SignalWire
import Platform
import Synchronization

/// Turns a routing decision into the SWML SignalWire runs: pure, no I/O.
///
/// A call plan becomes: `answer`, the greeting, one `connect` per ring step (the pool, then its
/// overflow pools) each followed by "hang up if someone took it", then voicemail or a goodbye.
package struct SWMLRenderer: Sendable {
    /// Where SignalWire should send call-state and recording callbacks; nil leaves them out.
    package var callbackBase: String?

    package init(callbackBase: String?) {
        self.callbackBase = callbackBase
    }

    package static let notInServiceText = "Sorry, this number is not in service. Goodbye."
    package static let confirmPrompt = "You have a call. Press 1 to accept it."
    static let connectedCondition = "vars.connect_result == 'connected'"

    package func render(_ plan: RoutePlan, dialed: String) -> SWMLDocument {
        guard case .call(let call) = plan else { return Self.notInService }
        var main: [SWMLMethod] = [.answer]
        if let greeting = call.greeting, !greeting.isEmpty { main.append(.play(.say(greeting))) }
        if let message = call.closedMessage {
            main.append(.play(.say(message)))
            main.append(.hangup())
            return SWMLDocument(main: main)
        }
        for step in call.steps where !step.targets.isEmpty {
            main.append(.connect(connect(step, dialed: dialed)))
            main.append(.cond([SWMLCondition(when: Self.connectedCondition, then: [.hangup()])]))
        }
        if let voicemail = call.voicemail {
            main.append(.play(.say(voicemail.greeting)))
            main.append(.record(SWMLRecord(
                beep: true, format: "mp3", terminators: "#", endSilenceTimeout: 5,
                maxLength: voicemail.maxLength, statusURL: callbackBase.map { $0 + "/voicemail" }
            )))
        } else if !call.steps.isEmpty {
            main.append(.play(.say("Sorry, nobody is available to take your call. Goodbye.")))
        }
        main.append(.hangup())
        return SWMLDocument(main: main)
    }

    func connect(_ step: RingStep, dialed: String) -> SWMLConnect {
        let destination: SWMLConnect.Destination
        let timeout: Int?
        if step.parallel {
            destination = .parallel(step.targets.map { SWMLDial(to: $0.address) })
            timeout = step.targets.map(\.timeout).max()
        } else {
            destination = .serial(step.targets.map { SWMLDial(to: $0.address, timeout: $0.timeout) })
            timeout = nil
        }
        return SWMLConnect(
            destination,
            from: step.callerID == .number ? dialed : nil,
            timeout: timeout,
            confirm: step.confirm ? .methods(Self.confirmMethods) : nil,
            callStateURL: callbackBase.map { $0 + "/status/call" },
            callStateEvents: callbackBase == nil ? nil : [.created, .ringing, .answered, .ended]
        )
    }

    /// Run on the member's leg before bridging: anything but a 1 refuses the call, so a member's own
    /// voicemail can never take it.
    static let confirmMethods: [SWMLMethod] = [
        .prompt(SWMLPrompt(play: ["say:" + confirmPrompt], maxDigits: 1, initialTimeout: 10)),
        .cond([SWMLCondition(when: "vars.prompt_value != '1'", then: [.hangup()])]),
    ]

    package static let notInService = SWMLDocument(main: [.answer, .play(.say(notInServiceText)), .hangup()])
}

/// Rendered SWML answers by plan: a pool has only as many distinct answers as it has rotations, and
/// encoding a document costs far more than looking one up. Bounded; emptied when full.
final class SWMLCache: Sendable {
    private struct Key: Hashable {
        var plan: RoutePlan
        var dialed: String

        /// Hashes what tells most plans apart (the number dialed, the member rung first); `==` still
        /// compares everything. Hashing whole plans cost more than the rest of the lookup.
        func hash(into hasher: inout Hasher) {
            hasher.combine(dialed)
            if case .call(let call) = plan {
                hasher.combine(call.steps.count)
                hasher.combine(call.steps.first?.targets.first?.address)
            }
        }
    }

    private let renderer: SWMLRenderer
    private let capacity: Int
    private let documents = Mutex<[Key: [UInt8]]>([:])

    init(renderer: SWMLRenderer, capacity: Int = 4096) {
        self.renderer = renderer
        self.capacity = capacity
    }

    /// The JSON bytes of `renderer.render(plan, dialed:)`.
    func bytes(_ plan: RoutePlan, dialed: String) -> [UInt8] {
        let key = Key(plan: plan, dialed: dialed)
        if let cached = documents.withLock({ $0[key] }) { return cached }
        let bytes = renderer.render(plan, dialed: dialed).jsonBytes()
        documents.withLock { documents in
            if documents.count >= capacity { documents.removeAll(keepingCapacity: true) }
            documents[key] = bytes
        }
        return bytes
    }
}

/// Turns a text's routing into cXML: pure, no I/O.
package struct CXMLRenderer: Sendable {
    package var callbackBase: String?

    package init(callbackBase: String?) {
        self.callbackBase = callbackBase
    }

    package func render(_ plan: RoutePlan) -> CXMLResponse {
        guard case .message(let messages) = plan else { return .empty }
        return CXMLResponse(messages: messages.map {
            CXMLResponse.Message(to: $0.to, from: $0.from, statusCallback: callbackBase.map { $0 + "/status/message" },
                                 body: $0.body, media: $0.mediaURLs)
        })
    }
}
