import Foundation
import Routing
import Testing
@testable import Store

@Suite struct SQLiteStoreRecordsTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let day: TimeInterval = 86_400

    func withStore(_ kind: StoreKind, _ body: (any SwitchboardStore) throws -> Void) throws {
        try withTemporaryStore(kind, body)
    }

    func decide(_ store: any SwitchboardStore, _ records: [DecisionRecord]) throws {
        _ = try store.route(StateQuery(pools: [:], caller: "", now: now)) { _ in ((), records) }
    }

    func record(_ channel: Channel, to: String, pool: String, member: String, age: TimeInterval = 0,
                id: String = UUID().uuidString) -> DecisionRecord {
        DecisionRecord(time: now - age, channel: channel, id: id, from: "+15550001000", to: to, pool: pool, member: member)
    }

    func count(_ store: any SwitchboardStore, _ table: String) throws -> Int {
        try StoreTests.count(store, "SELECT count(*) FROM \(table)")
    }

    @Test(arguments: StoreKind.available) func statsGroupByChannelNumberPoolAndMember(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            try decide(store, [
                record(.voice, to: "+1001", pool: "sales", member: "a"),
                record(.voice, to: "+1001", pool: "sales", member: "a"),
                record(.voice, to: "+1001", pool: "sales", member: "b"),
                record(.sms, to: "+1001", pool: "sales", member: "a"),
                record(.voice, to: "+1002", pool: "support", member: "c"),
                record(.voice, to: "+1002", pool: "support", member: "c", age: 2 * day),
            ])
            #expect(try store.stats(since: now - day) == [
                StatsRow(channel: .sms, number: "+1001", pool: "sales", member: "a", count: 1),
                StatsRow(channel: .voice, number: "+1001", pool: "sales", member: "a", count: 2),
                StatsRow(channel: .voice, number: "+1001", pool: "sales", member: "b", count: 1),
                StatsRow(channel: .voice, number: "+1002", pool: "support", member: "c", count: 1),
            ])
            #expect(try store.stats(since: now - 3 * day).last?.count == 2)
            #expect(try store.stats(since: now + 1) == [])
        }
    }

    @Test(arguments: StoreKind.available) func recentDecisionsNewestFirstPerChannel(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            let records = (0..<5).map { record(.voice, to: "+1001", pool: "sales", member: "m\($0)", age: Double(10 - $0), id: "v\($0)") }
                + [record(.sms, to: "+1001", pool: "sales", member: "s", id: "s0")]
            try decide(store, records)
            let recent = try store.recentDecisions(channel: .voice, limit: 3)
            #expect(recent == [records[4], records[3], records[2]])
            #expect(try store.recentDecisions(channel: .sms, limit: 10) == [records[5]])
            #expect(try store.recentDecisions(channel: .voice, limit: 0) == [])
        }
    }

    @Test(arguments: StoreKind.available) func aMemberHasAConversationPerCustomerNewestFirst(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            func open(_ member: String, _ number: String = "+1001", since: Double = day) throws -> [String] {
                try store.openConversations(poolNumber: number, member: member, since: now - since, callPools: [])
            }
            #expect(try open("a").isEmpty)
            try store.recordConversation(poolNumber: "+1001", member: "a", customer: "+1777", at: now - 60)
            try store.recordConversation(poolNumber: "+1001", member: "b", customer: "+1888", at: now - 60)
            #expect(try open("a") == ["+1777"])
            try store.recordConversation(poolNumber: "+1001", member: "a", customer: "+1999", at: now)
            #expect(try open("a") == ["+1999", "+1777"])
            // A late, older record does not move a conversation back; a newer one brings it forward.
            try store.recordConversation(poolNumber: "+1001", member: "a", customer: "+1999", at: now - 120)
            try store.recordConversation(poolNumber: "+1001", member: "a", customer: "+1666", at: now - 120)
            #expect(try open("a") == ["+1999", "+1777", "+1666"])
            try store.recordConversation(poolNumber: "+1001", member: "a", customer: "+1777", at: now + 1)
            #expect(try open("a") == ["+1777", "+1999", "+1666"])
            #expect(try open("b", since: 30).isEmpty)
            #expect(try open("a", "+1002").isEmpty)
        }
    }

    @Test(arguments: StoreKind.available) func aTextOrCallDecisionOpensItsConversationInTheSameTransaction(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            try decide(store, [record(.sms, to: "+1001", pool: "sales", member: "+1555")])
            #expect(try store.openConversations(poolNumber: "+1001", member: "+1555", since: now - day, callPools: []) == ["+15550001000"])
            // A call too, from its decision: the member can text the caller back, through that number
            // and the pools named only.
            try decide(store, [record(.voice, to: "+1001", pool: "sales", member: "+1556")])
            #expect(try store.openConversations(poolNumber: "+1001", member: "+1556", since: now - day, callPools: ["sales"]) == ["+15550001000"])
            #expect(try store.openConversations(poolNumber: "+1001", member: "+1556", since: now - day, callPools: ["other"]).isEmpty)
            #expect(try store.openConversations(poolNumber: "+1002", member: "+1556", since: now - day, callPools: ["sales"]).isEmpty)
            #expect(try store.openConversations(poolNumber: "+1001", member: "+1556", since: now + 1, callPools: ["sales"]).isEmpty)
            // A customer who called and texted is listed once, at their newest exchange.
            try store.recordConversation(poolNumber: "+1001", member: "+1556", customer: "+15550001000", at: now - 600)
            try store.recordConversation(poolNumber: "+1001", member: "+1556", customer: "+1444", at: now - 30)
            #expect(try store.openConversations(poolNumber: "+1001", member: "+1556", since: now - day, callPools: ["sales", "sales"])
                    == ["+15550001000", "+1444"])
            try store.recordConversation(poolNumber: "+1001", member: "+1556", customer: "+1444", at: now + 5)
            #expect(try store.openConversations(poolNumber: "+1001", member: "+1556", since: now - day, callPools: ["sales"])
                    == ["+1444", "+15550001000"])
            // A throwing choose writes neither the decision nor the conversation.
            #expect(throws: (any Error).self) {
                _ = try store.route(StateQuery(pools: [:], caller: "", now: now)) { _ -> ((), [DecisionRecord]) in
                    throw StoreError(operation: "test", code: 1, message: "refused")
                }
            }
            #expect(try count(store, "threads") == 3)
        }
    }

    @Test(arguments: StoreKind.available) func aTextFindsTheMemberOfTheCustomersConversationWithinItsWindow(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            try store.recordConversation(poolNumber: "+1001", member: "+1555", customer: "+1777", at: now - 3600)
            try store.recordConversation(poolNumber: "+1001", member: "+1556", customer: "+1777", at: now - 60)
            try store.recordConversation(poolNumber: "+1002", member: "+1557", customer: "+1777", at: now)
            func member(window: Double, number: String = "+1001", caller: String = "+1777") throws -> String? {
                try store.poolStates(StateQuery(pools: ["sales": .conversation], caller: caller, now: now,
                                                dialed: number, conversationWindow: window))["sales"]?.conversationMember
            }
            #expect(try member(window: day) == "+1556")
            #expect(try member(window: 30) == nil)
            #expect(try member(window: day, number: "+1002") == "+1557")
            #expect(try member(window: day, caller: "+1888") == nil)
        }
    }

    @Test(arguments: StoreKind.available) func voicemailsAreStoredOnce(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            let voicemail = Voicemail(callID: "CA1", recordingURL: "https://example.com/r.mp3", duration: 12,
                                      from: "+1777", to: "+1001", time: now)
            try store.recordVoicemail(voicemail)
            try store.recordVoicemail(voicemail)
            try store.recordVoicemail(Voicemail(callID: "CA2", recordingURL: "https://example.com/s.mp3", time: now))
            #expect(try count(store, "voicemails") == 2)
        }
    }

    @Test(arguments: StoreKind.available) func pruneDeletesOldRowsButKeepsPositions(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            let old = now - 100 * day
            try decide(store, [record(.voice, to: "+1001", pool: "sales", member: "a", age: 100 * day),
                               record(.voice, to: "+1001", pool: "sales", member: "b", age: 100 * day),
                               record(.voice, to: "+1001", pool: "support", member: "c")])
            try store.recordStatus(StatusEvent(kind: .call, id: "CA-old", status: "ringing", time: old))
            try store.recordStatus(StatusEvent(kind: .call, id: "CA-old", status: "completed", time: old))
            try store.recordStatus(StatusEvent(kind: .call, id: "CA-new", status: "ringing", time: now))
            try store.recordVoicemail(Voicemail(callID: "CA-old", recordingURL: "u", time: old))
            try store.recordVoicemail(Voicemail(callID: "CA-new", recordingURL: "u", time: now))
            try store.recordConversation(poolNumber: "+1001", member: "a", customer: "+1777", at: old)
            try store.recordConversation(poolNumber: "+1001", member: "c", customer: "+1888", at: now)

            // 2 decisions + 2 events + 1 current status + 1 voicemail + 1 conversation (the old
            // text's; a call's conversation is its decision).
            #expect(try store.prune(olderThan: now - 90 * day) == 7)
            #expect(try decisionCount(store) == 1)
            #expect(try count(store, "status_events") == 1)
            #expect(try count(store, "voicemails") == 1)
            #expect(try count(store, "threads") == 1)
            #expect(try store.currentStatus(id: "CA-old") == nil)
            #expect(try store.currentStatus(id: "CA-new") == "ringing")
            let states = try store.poolStates(StateQuery(pools: ["sales": .position], caller: "", now: now))
            #expect(states["sales"]?.lastMember == "b")
            #expect(try store.prune(olderThan: now - 90 * day) == 0)
        }
    }
}
