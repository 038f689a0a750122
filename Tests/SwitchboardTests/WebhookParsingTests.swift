import Foundation
import HTTPServer
import Routing
import Store
import Testing
@testable import Switchboard

struct WebhookParsingTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func post(_ path: String, json: String) -> HTTPRequest {
        HTTPRequest(method: "POST", target: path, headers: ["Content-Type": "application/json"], body: Array(json.utf8))
    }

    static func post(_ path: String, form: String) -> HTTPRequest {
        HTTPRequest(method: "POST", target: path, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Array(form.utf8))
    }

    /// The SWML request of signalwire.md, verbatim.
    static let swmlRequest = #"{"call":{"call_id":"b5d63b2e-f75b-4dc8-b6d4-269b635f96c0","node_id":"fa3570ae-f8bd-42c2-83f4-9950d906c91b@us-west","segment_id":"b5d63b2e-f75b-4dc8-b6d4-269b635f96c0","call_state":"created","direction":"inbound","type":"phone","from":"+12135877632","to":"+12089806814","from_number":"+12135877632","to_number":"+12089806814","project_id":"4b7ae78a-d02e-4889-a63b-08b156d5916e","space_id":"62615f44-2a34-4235-b38b-76b5a1de6ef8"},"vars":{}}"#

    @Test func voiceFromSWMLRequest() throws {
        let request = try Webhook.voice(Self.post("/voice", json: Self.swmlRequest), now: Self.now)
        #expect(request.channel == .voice)
        #expect(request.id == "b5d63b2e-f75b-4dc8-b6d4-269b635f96c0")
        #expect(request.from == "+12135877632")
        #expect(request.to == "+12089806814")
        #expect(request.now == Self.now)
    }

    @Test func voiceFromFormAndQuery() throws {
        let form = try Webhook.voice(Self.post("/voice", form: "CallSid=CA1&From=%2B12135877632&To=%2B15550000001"), now: Self.now)
        #expect((form.id, form.from, form.to) == ("CA1", "+12135877632", "+15550000001"))
        let get = try Webhook.voice(HTTPRequest(method: "GET", target: "/voice?To=%2B15550000002&From=%2B1213&CallSid=CA2"), now: Self.now)
        #expect((get.id, get.from, get.to) == ("CA2", "+1213", "+15550000002"))
    }

    @Test func voiceWithoutDialedNumberIsRejected() {
        #expect(throws: WebhookError("missing the dialed number (call.to or To)")) {
            try Webhook.voice(Self.post("/voice", json: #"{"call":{"from":"+1"}}"#), now: Self.now)
        }
        #expect(throws: WebhookError("the body is not a JSON object")) {
            try Webhook.voice(Self.post("/voice", json: #"{"call":"#), now: Self.now)
        }
        #expect(throws: WebhookError("the body is not a JSON object")) {
            try Webhook.voice(Self.post("/voice", json: "[1,2]"), now: Self.now)
        }
    }

    @Test func smsWithMedia() throws {
        let request = try Webhook.sms(Self.post("/sms", form: "MessageSid=SM1&AccountSid=AC&From=%2B1213&To=%2B1555&Body=hi+there&NumMedia=2&MediaUrl0=https%3A%2F%2Fm%2F0&MediaContentType0=image%2Fjpeg&MediaUrl1=https%3A%2F%2Fm%2F1"), now: Self.now)
        #expect(request.channel == .sms)
        #expect(request.body == "hi there")
        #expect(request.mediaURLs == ["https://m/0", "https://m/1"])
        #expect(request.id == "SM1")
    }

    @Test func smsNeedsToAndFrom() {
        #expect(throws: WebhookError("missing To")) { try Webhook.sms(Self.post("/sms", form: "From=%2B1"), now: Self.now) }
        #expect(throws: WebhookError("missing From")) { try Webhook.sms(Self.post("/sms", form: "To=%2B1"), now: Self.now) }
    }

    @Test func relayCallStateEvent() throws {
        let json = #"{"event_type":"calling.call.state","event_channel":"swml:abc","timestamp":1714000000.1,"project_id":"p","space_id":"s","params":{"node_id":"n","call_id":"leg-1","segment_id":"seg-9","call_state":"answered","direction":"outbound","device":{"type":"phone","params":{"from_number":"+12135877632","to_number":"+15551111111"}}}}"#
        let event = try Webhook.callStatus(Self.post("/status/call", json: json), now: Self.now)
        #expect(event == StatusEvent(kind: .call, id: "leg-1", status: "in-progress", sequence: "seg-9", time: Self.now,
                                     from: "+12135877632", to: "+15551111111"))
    }

    /// Issue 17: a leg's event names its inbound call (`params.parent`), and SignalWire's own time is
    /// kept when it is plausible, so talk time does not depend on how late the callback came.
    @Test func legEventsNameTheirParentCallAndKeepSignalWiresTime() throws {
        let stamp = Self.now.timeIntervalSince1970 - 12.5
        let json = #"{"event_type":"calling.call.state","timestamp":\#(stamp),"params":{"call_id":"leg-2","call_state":"ended","parent":{"call_id":"call-1","node_id":"n","device_type":"phone"},"peer":{"call_id":"call-1"},"device":{"type":"sip","params":{"from":"+12135877632","to":"sip:desk@example.com"}}}}"#
        let event = try Webhook.callStatus(Self.post("/status/call", json: json), now: Self.now)
        #expect(event.parent == "call-1")
        #expect(event.to == "sip:desk@example.com")
        #expect(event.time == Date(timeIntervalSince1970: stamp))
        #expect(Webhook.eventTime("\(Self.now.timeIntervalSince1970 - 90_000)", now: Self.now) == Self.now, "more than a day off")
        #expect(Webhook.eventTime("soon", now: Self.now) == Self.now)
        #expect(Webhook.eventTime(nil, now: Self.now) == Self.now)
    }

    @Test func formCallStatus() throws {
        let event = try Webhook.callStatus(Self.post("/status/call", form: "CallSid=CA9&CallStatus=completed&CallDuration=42&From=%2B1&To=%2B2"), now: Self.now)
        #expect(event.status == "completed")
        #expect(event.detail == "duration=42")
        #expect(throws: WebhookError("missing CallStatus")) { try Webhook.callStatus(Self.post("/status/call", form: "CallSid=CA9"), now: Self.now) }
    }

    @Test func messageStatusKeepsSegments() throws {
        let a = try Webhook.messageStatus(Self.post("/status/message", form: "MessageSid=SM1&MessageStatus=sent&SegmentIndex=0"), now: Self.now)
        let b = try Webhook.messageStatus(Self.post("/status/message", form: "MessageSid=SM1&MessageStatus=sent&SegmentIndex=1"), now: Self.now)
        #expect(a.sequence != b.sequence)
        let failed = try Webhook.messageStatus(Self.post("/status/message", form: "MessageSid=SM2&MessageStatus=undelivered&ErrorCode=21717"), now: Self.now)
        #expect(failed.detail == "error=21717")
    }

    @Test func voicemailEvents() throws {
        let json = #"{"event_type":"calling.call.record","params":{"call_id":"c1","control_id":"x","state":"finished","url":"https://files.example.com/r.mp3","duration":12.5,"record":{"audio":{"format":"mp3"}}}}"#
        let voicemail = try #require(try Webhook.voicemail(Self.post("/voicemail", json: json), now: Self.now))
        #expect(voicemail.callID == "c1")
        #expect(voicemail.recordingURL == "https://files.example.com/r.mp3")
        #expect(voicemail.duration == 12)
        let recording = #"{"event_type":"calling.call.record","params":{"call_id":"c1","state":"recording"}}"#
        #expect(try Webhook.voicemail(Self.post("/voicemail", json: recording), now: Self.now) == nil)
        let form = try Webhook.voicemail(Self.post("/voicemail", form: "CallSid=CA1&RecordingUrl=https%3A%2F%2Fr&RecordingDuration=7"), now: Self.now)
        #expect(form?.duration == 7)
    }
}
