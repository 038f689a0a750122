import Foundation
import Testing
@testable import SignalWire

@Suite struct SWMLDocumentTests {
    @Test func greetingAndSerialHuntWithVoicemail() {
        let document = SWMLDocument(main: [
            .answer,
            .play(.say("Thanks for calling Acme sales.")),
            .connect(SWMLConnect(
                .serial([SWMLDial(to: "+15551111112", timeout: 20), SWMLDial(to: "sip:bob@example.sip.signalwire.com")]),
                from: "+15550000001", timeout: 20, answerOnBridge: true,
                confirm: .methods([
                    .prompt(SWMLPrompt(play: ["say:Press 1 to take this call."], maxDigits: 1, initialTimeout: 8)),
                    .cond([SWMLCondition(when: "prompt_value != '1'", then: [.hangup()])]),
                ]),
                callStateURL: "https://sb.example.com/status/call", callStateEvents: [.answered, .ended]
            )),
            .cond([
                SWMLCondition(when: "vars.connect_result == 'connected'", then: [.hangup()]),
                .otherwise([
                    .play(SWMLPlay(urls: ["say:Please leave a message.", "silence:1"], sayVoice: "Polly.Joanna")),
                    .record(SWMLRecord(
                        beep: true, format: "mp3", terminators: "#", endSilenceTimeout: 2.5, maxLength: 120,
                        statusURL: "https://sb.example.com/voicemail"
                    )),
                    .hangup(),
                ]),
            ]),
        ])
        let expected = """
        {"version":"1.0.0","sections":{"main":[{"answer":{}},{"play":{"url":"say:Thanks for calling Acme sales."}},\
        {"connect":{"serial":[{"to":"+15551111112","timeout":20},{"to":"sip:bob@example.sip.signalwire.com"}],\
        "from":"+15550000001","timeout":20,"answer_on_bridge":true,"confirm":[{"prompt":{"play":"say:Press 1 to take this call.",\
        "max_digits":1,"initial_timeout":8}},{"cond":[{"when":"prompt_value != '1'","then":[{"hangup":{}}]}]}],\
        "call_state_url":"https://sb.example.com/status/call","call_state_events":["answered","ended"]}},\
        {"cond":[{"when":"vars.connect_result == 'connected'","then":[{"hangup":{}}]},{"else":[{"play":{"urls":\
        ["say:Please leave a message.","silence:1"],"say_voice":"Polly.Joanna"}},{"record":{"beep":true,"format":"mp3",\
        "terminators":"#","end_silence_timeout":2.5,"max_length":120,"status_url":"https://sb.example.com/voicemail"}},\
        {"hangup":{}}]}]}]}}
        """
        #expect(document.jsonString == expected)
    }

    @Test func parallelWithConfirmURLRingbackAndSingleTo() {
        let document = SWMLDocument(main: [
            .connect(SWMLConnect(
                .parallel([SWMLDial(to: "+15552222221"), SWMLDial(to: "+15552222222", timeout: 15)]),
                timeout: 25, ringback: ["ring:us"], confirm: .url("https://sb.example.com/confirm"), confirmTimeout: 5
            )),
            .connect(SWMLConnect(.to("+15552222223"))),
            .connect(SWMLConnect(.serialParallel([[SWMLDial(to: "+1555")], [SWMLDial(to: "+1556"), SWMLDial(to: "+1557")]]))),
        ])
        let expected = """
        {"version":"1.0.0","sections":{"main":[{"connect":{"parallel":[{"to":"+15552222221"},{"to":"+15552222222","timeout":15}],\
        "timeout":25,"ringback":["ring:us"],"confirm":"https://sb.example.com/confirm","confirm_timeout":5}},\
        {"connect":{"to":"+15552222223"}},{"connect":{"serial_parallel":[[{"to":"+1555"}],[{"to":"+1556"},{"to":"+1557"}]]}}]}}
        """
        #expect(document.jsonString == expected)
    }

    @Test func notInServiceAndOtherMethods() {
        let document = SWMLDocument(sections: [
            "zeta": [.transfer(dest: "main")],
            "main": [
                .play(.say("This number is not in service.")), .hangup(reason: "decline"),
            ],
            "alpha": [
                .set(["b": "2", "a": "1"]), .unset(["a"]),
                .sendSMS(SWMLSendSMS(toNumber: "+15551111111", fromNumber: "+15550000001", body: "New voicemail")),
                .switch(SWMLSwitch(
                    variable: "connect_result", cases: ["failed": [.hangup()], "connected": [.answer]], default: [.answer]
                )),
            ],
        ])
        let expected = """
        {"version":"1.0.0","sections":{"main":[{"play":{"url":"say:This number is not in service."}},\
        {"hangup":{"reason":"decline"}}],"alpha":[{"set":{"a":"1","b":"2"}},{"unset":["a"]},\
        {"send_sms":{"to_number":"+15551111111","from_number":"+15550000001","body":"New voicemail"}},\
        {"switch":{"variable":"connect_result","case":{"connected":[{"answer":{}}],"failed":[{"hangup":{}}]},\
        "default":[{"answer":{}}]}}],"zeta":[{"transfer":{"dest":"main"}}]}}
        """
        #expect(document.jsonString == expected)
    }

    @Test func stringsAreEscapedAndSlashesAreNot() {
        let document = SWMLDocument(main: [.play(.say("Say \"hi\"\\ \n\u{01} / ok"))])
        #expect(document.jsonString == #"{"version":"1.0.0","sections":{"main":[{"play":{"url":"say:Say \"hi\"\\ \n\u0001 / ok"}}]}}"#)
        let decoded = try? JSONSerialization.jsonObject(with: Data(document.jsonBytes()))
        #expect(decoded != nil)
    }

    @Test func roundTripThroughJSONDecoder() throws {
        let document = SWMLDocument(main: [
            .answer,
            .play(SWMLPlay(urls: ["a", "b"], sayVoice: "v", sayLanguage: "en-US")),
            .connect(SWMLConnect(
                .serial([SWMLDial(to: "+1", timeout: 3)]), from: "+2", timeout: 4, answerOnBridge: false,
                ringback: ["ring:us"], confirm: .methods([.hangup()]), confirmTimeout: 2,
                callStateURL: "https://x/status", callStateEvents: SWMLConnect.CallState.allCases
            )),
            .record(SWMLRecord(beep: true, maxLength: 60)),
            .cond([SWMLCondition(when: "x", then: [.answer], else: [.hangup()]), .otherwise([.hangup(reason: "busy")])]),
            .unset(["x", "y"]),
        ])
        let decoded = try JSONDecoder().decode(SWMLDocument.self, from: Data(document.jsonBytes()))
        #expect(decoded == document)
    }

    @Test func decodingRejectsBadDocuments() {
        let noMain = #"{"version":"1.0.0","sections":{"other":[]}}"#
        #expect(throws: (any Error).self) { try JSONDecoder().decode(SWMLDocument.self, from: Data(noMain.utf8)) }
        let twoKeys = #"{"version":"1.0.0","sections":{"main":[{"answer":{},"hangup":{}}]}}"#
        #expect(throws: (any Error).self) { try JSONDecoder().decode(SWMLDocument.self, from: Data(twoKeys.utf8)) }
        let noDestination = #"{"version":"1.0.0","sections":{"main":[{"connect":{"timeout":5}}]}}"#
        #expect(throws: (any Error).self) { try JSONDecoder().decode(SWMLDocument.self, from: Data(noDestination.utf8)) }
    }

    @Test func orderedEncoderHandlesEveryIntegerTypeAndNesting() throws {
        struct Sample: Encodable {
            var small: Int8 = -3
            var unsigned: UInt16 = 7
            var data = Data([1, 2])
            var list: [UInt8] = [9]
            var optional: String? = nil
            var nested = ["z": 1]
            func encode(to encoder: any Encoder) throws {
                enum K: String, CodingKey { case small, unsigned, data, list, optional, nested }
                var c = encoder.container(keyedBy: K.self)
                try c.encode(small, forKey: .small)
                try c.encode(unsigned, forKey: .unsigned)
                try c.encode(data, forKey: .data)
                try c.encode(list, forKey: .list)
                try c.encode(optional, forKey: .optional)
                try c.encode(nested, forKey: .nested)
            }
        }
        #expect(try OrderedJSONEncoder().encodeToString(Sample())
            == #"{"small":-3,"unsigned":7,"data":[1,2],"list":[9],"optional":null,"nested":{"z":1}}"#)
        #expect(try OrderedJSONEncoder().encodeToString([Int64.min]) == "[-9223372036854775808]")
    }

    @Test func orderedEncoderRefusesNonFiniteNumbers() throws {
        #expect(throws: EncodingError.self) { try OrderedJSONEncoder().encode([Double.nan]) }
        #expect(try OrderedJSONEncoder().encodeToString([0.1, 2, -3.5]) == "[0.1,2,-3.5]")
    }
}
