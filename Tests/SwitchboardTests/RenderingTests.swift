import Foundation
import Routing
import SignalWire
import Testing
@testable import Switchboard

/// SWML and cXML for whole routes.json cases, compared with documents written by hand.
struct RenderingTests {
    /// A Sunday, 12:00 UTC.
    static let sunday = Date(timeIntervalSince1970: 1_796_385_600)
    static let vmGreeting = "Sorry, nobody is available to take your call. Please leave a message after the tone."
    static let vm = ##"{"play":{"url":"say:\##(vmGreeting)"}},{"record":{"beep":true,"format":"mp3","terminators":"#","end_silence_timeout":5,"max_length":120}}"##
    static let connected = ##"{"cond":[{"when":"vars.connect_result == 'connected'","then":[{"hangup":{}}]}]}"##

    static func engine(_ json: String) throws -> RoutingEngine {
        switch RoutesLoader.load(Array(json.utf8), zones: TZDatabase()) {
        case .success(let routes): return RoutingEngine(routes: routes)
        case .failure(let error): throw error
        }
    }

    static func voice(_ json: String, to: String = "+15550000001", states: [String: PoolState] = [:],
                      now: Date = sunday, callbackBase: String? = nil) throws -> String {
        let engine = try engine(json)
        var random = SystemRandomNumberGenerator()
        let request = RouteRequest(channel: .voice, id: "call-1", from: "+12135877632", to: to, now: now)
        let plan = engine.decide(request, states: states, random: &random).plan
        return SWMLRenderer(callbackBase: callbackBase).render(plan, dialed: to).jsonString
    }

    static func sms(_ json: String, from: String = "+12135877632", body: String, media: [String] = [],
                    states: [String: PoolState] = [:], customer: String? = nil) throws -> String {
        let engine = try engine(json)
        var random = SystemRandomNumberGenerator()
        let request = RouteRequest(channel: .sms, id: "SM1", from: from, to: "+15550000001", now: sunday, body: body, mediaURLs: media)
        let plan: RoutePlan
        if engine.relayMember(for: request) != nil {
            plan = engine.relay(request, toCustomer: customer)
        } else {
            plan = engine.decide(request, states: states, random: &random).plan
        }
        return CXMLRenderer(callbackBase: "https://sb.example.com").render(plan).render()
    }

    static let threeMembers = #"""
    {"numbers": {"+15550000001": {"voice": "sales", "sms": "sales", "greeting": "Thanks for calling Acme sales."}},
     "pools": {"sales": {"members": ["+15551111111", "+15551111112", "+15551111113"]}}}
    """#

    /// The document cache hashes a plan by its dialed number and first member only: plans alike in those
    /// still get their own documents, each the renderer's.
    @Test func cachedDocumentsAreEachPlansOwn() throws {
        let renderer = SWMLRenderer(callbackBase: "https://sb.example.com")
        let cache = SWMLCache(renderer: renderer, capacity: 8)
        let step = RingStep(pool: "sales", parallel: false, targets: [RingTarget(address: "+15551111111", timeout: 20)],
                            confirm: false, callerID: .caller)
        var plans: [RoutePlan] = [.notInService, .call(CallPlan(steps: [step]))]
        plans.append(.call(CallPlan(greeting: "Hello", steps: [step])))
        plans.append(.call(CallPlan(steps: [step], closedMessage: "Closed")))
        var longer = step
        longer.targets.append(RingTarget(address: "+15551111112", timeout: 20))
        plans.append(.call(CallPlan(steps: [longer])))
        var parallel = longer
        parallel.parallel = true
        plans.append(.call(CallPlan(steps: [parallel])))
        for _ in 0..<3 {
            for plan in plans {
                for dialed in ["+15550000001", "+15550000002"] {
                    #expect(cache.bytes(plan, dialed: dialed) == renderer.render(plan, dialed: dialed).jsonBytes(), "\(plan)")
                }
            }
        }
        #expect(Set(plans.map { String(decoding: cache.bytes($0, dialed: "+15550000001"), as: UTF8.self) }).count == plans.count)
    }

    @Test func roundRobinFromTheTop() throws {
        #expect(try Self.voice(Self.threeMembers) == ##"{"version":"1.0.0","sections":{"main":[{"answer":{}},{"play":{"url":"say:Thanks for calling Acme sales."}},{"connect":{"serial":[{"to":"+15551111111","timeout":20},{"to":"+15551111112","timeout":20},{"to":"+15551111113","timeout":20}]}},\##(Self.connected),\##(Self.vm),{"hangup":{}}]}}"##)
    }

    @Test func roundRobinContinuesAfterTheLastMember() throws {
        let states = ["sales": PoolState(lastMember: "+15551111112")]
        #expect(try Self.voice(Self.threeMembers, states: states) == ##"{"version":"1.0.0","sections":{"main":[{"answer":{}},{"play":{"url":"say:Thanks for calling Acme sales."}},{"connect":{"serial":[{"to":"+15551111113","timeout":20},{"to":"+15551111111","timeout":20},{"to":"+15551111112","timeout":20}]}},\##(Self.connected),\##(Self.vm),{"hangup":{}}]}}"##)
    }

    @Test func simultaneousRingsInParallel() throws {
        let json = ##"{"default": {"voice": "all"}, "pools": {"all": {"members": ["+15551111111", "sip:bob@example.sip.signalwire.com"], "strategy": "simultaneous", "ring_timeout": 25, "voicemail": false}}}"##
        #expect(try Self.voice(json) == ##"{"version":"1.0.0","sections":{"main":[{"answer":{}},{"connect":{"parallel":[{"to":"+15551111111"},{"to":"sip:bob@example.sip.signalwire.com"}],"timeout":25}},\##(Self.connected),{"play":{"url":"say:Sorry, nobody is available to take your call. Goodbye."}},{"hangup":{}}]}}"##)
    }

    @Test func confirmAndDialedNumberAsCallerID() throws {
        let json = ##"{"default": {"voice": "p"}, "pools": {"p": {"members": ["+15551111111"], "confirm": true, "caller_id": "number", "ring_timeout": 15, "voicemail": {"greeting": "Leave a message.", "max_length": 60}}}}"##
        #expect(try Self.voice(json) == ##"{"version":"1.0.0","sections":{"main":[{"answer":{}},{"connect":{"serial":[{"to":"+15551111111","timeout":15}],"from":"+15550000001","confirm":[{"prompt":{"play":"say:You have a call. Press 1 to accept it.","max_digits":1,"initial_timeout":10}},{"cond":[{"when":"vars.prompt_value != '1'","then":[{"hangup":{}}]}]}]}},\##(Self.connected),{"play":{"url":"say:Leave a message."}},{"record":{"beep":true,"format":"mp3","terminators":"#","end_silence_timeout":5,"max_length":60}},{"hangup":{}}]}}"##)
    }

    @Test func overflowRingsTheNextPool() throws {
        let json = ##"{"default": {"voice": "a"}, "pools": {"a": {"members": ["+15551111111"], "strategy": "sequential", "overflow": "b", "voicemail": false}, "b": {"members": ["+15552222221", "+15552222222"], "strategy": "sequential"}}}"##
        #expect(try Self.voice(json) == ##"{"version":"1.0.0","sections":{"main":[{"answer":{}},{"connect":{"serial":[{"to":"+15551111111","timeout":20}]}},\##(Self.connected),{"connect":{"serial":[{"to":"+15552222221","timeout":20},{"to":"+15552222222","timeout":20}]}},\##(Self.connected),{"play":{"url":"say:Sorry, nobody is available to take your call. Goodbye."}},{"hangup":{}}]}}"##)
    }

    @Test func closedHoursMessage() throws {
        let json = ##"{"default": {"voice": "p"}, "pools": {"p": {"members": ["+15551111111"], "hours": {"timezone": "UTC", "open": {"mon": "09:00-17:00"}, "closed": {"action": "message", "message": "We are closed."}}}}}"##
        #expect(try Self.voice(json) == ##"{"version":"1.0.0","sections":{"main":[{"answer":{}},{"play":{"url":"say:We are closed."}},{"hangup":{}}]}}"##)
    }

    @Test func closedHoursVoicemail() throws {
        let json = ##"{"default": {"voice": "p"}, "pools": {"p": {"members": ["+15551111111"], "hours": {"timezone": "UTC", "open": {"mon": "09:00-17:00"}}}}}"##
        #expect(try Self.voice(json) == ##"{"version":"1.0.0","sections":{"main":[{"answer":{}},\##(Self.vm),{"hangup":{}}]}}"##)
    }

    @Test func unroutedNumberIsNotInService() throws {
        #expect(try Self.voice(Self.threeMembers, to: "+15559999999") == ##"{"version":"1.0.0","sections":{"main":[{"answer":{}},{"play":{"url":"say:Sorry, this number is not in service. Goodbye."}},{"hangup":{}}]}}"##)
    }

    @Test func callbacksPointAtThePublicURL() throws {
        let json = ##"{"default": {"voice": "p"}, "pools": {"p": {"members": ["+15551111111"], "voicemail": {"max_length": 30}}}}"##
        #expect(try Self.voice(json, callbackBase: "https://sb.example.com/sb") == ##"{"version":"1.0.0","sections":{"main":[{"answer":{}},{"connect":{"serial":[{"to":"+15551111111","timeout":20}],"call_state_url":"https://sb.example.com/sb/status/call","call_state_events":["created","ringing","answered","ended"]}},\##(Self.connected),{"play":{"url":"say:\##(Self.vmGreeting)"}},{"record":{"beep":true,"format":"mp3","terminators":"#","end_silence_timeout":5,"max_length":30,"status_url":"https://sb.example.com/sb/voicemail"}},{"hangup":{}}]}}"##)
    }

    @Test func disabledMembersAreSkipped() throws {
        let json = ##"{"default": {"voice": "p"}, "pools": {"p": {"members": [{"number": "+15551111111", "enabled": false}, "+15551111112"], "voicemail": false}}}"##
        #expect(try Self.voice(json) == ##"{"version":"1.0.0","sections":{"main":[{"answer":{}},{"connect":{"serial":[{"to":"+15551111112","timeout":20}]}},\##(Self.connected),{"play":{"url":"say:Sorry, nobody is available to take your call. Goodbye."}},{"hangup":{}}]}}"##)
    }

    @Test func smsForwardedWithSenderPrefixAndEscaped() throws {
        #expect(try Self.sms(Self.threeMembers, body: "Fish & <chips>?") == ##"<?xml version="1.0" encoding="UTF-8"?>\##n<Response><Message to="+15551111111" from="+15550000001" statusCallback="https://sb.example.com/status/message">From +12135877632: Fish &amp; &lt;chips&gt;?</Message></Response>"##)
    }

    @Test func mmsWithoutTextKeepsItsMedia() throws {
        let states = ["sales": PoolState(lastMember: "+15551111111")]
        #expect(try Self.sms(Self.threeMembers, body: "", media: ["https://media.example.com/a.jpg"], states: states) == ##"<?xml version="1.0" encoding="UTF-8"?>\##n<Response><Message to="+15551111112" from="+15550000001" statusCallback="https://sb.example.com/status/message">From +12135877632:<Media>https://media.example.com/a.jpg</Media></Message></Response>"##)
    }

    @Test func memberReplyRelayedToLastCustomer() throws {
        #expect(try Self.sms(Self.threeMembers, from: "+15551111112", body: "On my way", customer: "+12135877632") == ##"<?xml version="1.0" encoding="UTF-8"?>\##n<Response><Message to="+12135877632" from="+15550000001" statusCallback="https://sb.example.com/status/message">On my way</Message></Response>"##)
    }

    @Test func memberReplyWithNoCustomerIsDropped() throws {
        #expect(try Self.sms(Self.threeMembers, from: "+15551111112", body: "Hello?", customer: nil) == ##"<?xml version="1.0" encoding="UTF-8"?>\##n<Response/>"##)
    }

    @Test func smsToUnroutedNumberSendsNothing() throws {
        let json = ##"{"numbers": {"+15550000001": {"voice": "p"}}, "pools": {"p": {"members": ["+15551111111"]}}}"##
        #expect(try Self.sms(json, body: "hi") == ##"<?xml version="1.0" encoding="UTF-8"?>\##n<Response/>"##)
    }
}
