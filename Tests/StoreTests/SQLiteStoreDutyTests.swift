import Foundation
import Routing
import Testing
@testable import Store

@Suite struct SQLiteStoreDutyTests {
    @Test(arguments: StoreKind.available) func pausesAreKeptPerPoolAndMemberReplacedInPlaceAndSurviveReopening(kind: StoreKind) throws {
        let db = try TestDatabase(kind)
        defer { db.remove() }
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        do {
            let store = try db.open()
            #expect(try store.memberPauses().isEmpty)
            try store.pauseMember(MemberPause(pool: "sales", member: "+15551111111", by: .cli, reason: "lunch", until: t0 + 3600, since: t0))
            try store.pauseMember(MemberPause(pool: "support", member: "+15551111111", by: .sms, since: t0))
            // Again: the newer pause replaces the first.
            try store.pauseMember(MemberPause(pool: "sales", member: "+15551111111", by: .admin, since: t0 + 60))
            _ = try store.prune(olderThan: t0 + 86400 * 365)
            store.close()
        }
        let store = try db.open()
        defer { store.close() }
        #expect(try store.memberPauses() == [
            MemberPause(pool: "sales", member: "+15551111111", by: .admin, since: t0 + 60),
            MemberPause(pool: "support", member: "+15551111111", by: .sms, since: t0),
        ])
        let availability = Availability(try store.memberPauses())
        #expect(availability.isPaused(pool: "sales", member: "+15551111111", at: t0 + 1_000_000))
        #expect(try store.resumeMember(pool: "sales", member: "+15551111111"))
        #expect(try !store.resumeMember(pool: "sales", member: "+15551111111"), "not paused any more")
        #expect(try store.memberPauses().map(\.pool) == ["support"])
    }

    @Test(arguments: StoreKind.available) func offersNotAnsweredAreCountedInARowUntilAnAnswerOrAPause(kind: StoreKind) throws {
        try withTemporaryStore(kind) { store in
            #expect(try store.countOffers(pool: "sales", missed: ["+1a", "+1b"], answered: nil) == ["+1a": 1, "+1b": 1])
            #expect(try store.countOffers(pool: "sales", missed: ["+1a"], answered: "+1b") == ["+1a": 2, "+1b": 0])
            #expect(try store.countOffers(pool: "sales", missed: ["+1a", "+1a"], answered: nil) == ["+1a": 3], "once per call")
            #expect(try store.countOffers(pool: "other", missed: ["+1a"], answered: nil) == ["+1a": 1], "per pool")
            // A pause (and a resume) starts the count again.
            try store.pauseMember(MemberPause(pool: "sales", member: "+1a", by: .auto, since: Date()))
            try store.resumeMember(pool: "sales", member: "+1a")
            #expect(try store.countOffers(pool: "sales", missed: ["+1a"], answered: nil) == ["+1a": 1])
            #expect(try store.countOffers(pool: "sales", missed: ["+1b"], answered: "+1b") == ["+1b": 0], "the answerer is not a miss")
        }
    }
}
