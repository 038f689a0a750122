import Foundation
import Testing
@testable import Store

@Suite struct SQLiteStoreOptOutTests {
    @Test(arguments: StoreKind.available) func anOptOutIsKeptPerNumberUntilTheCustomerOptsInAndSurvivesReopening(kind: StoreKind) throws {
        let db = try TestDatabase(kind)
        defer { db.remove() }
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        do {
            let store = try db.open()
            #expect(try !store.isOptedOut(poolNumber: "+15550000001", customer: "+12135550123"))
            try store.setOptOut(poolNumber: "+15550000001", customer: "+12135550123", keyword: "STOP", at: t0)
            try store.setOptOut(poolNumber: "+15550000001", customer: "+12135550999", keyword: "QUIT", at: t0.addingTimeInterval(60))
            // Again, with another word: one row, the latest word and time.
            try store.setOptOut(poolNumber: "+15550000001", customer: "+12135550123", keyword: "UNSUBSCRIBE", at: t0.addingTimeInterval(120))
            #expect(try store.isOptedOut(poolNumber: "+15550000001", customer: "+12135550123"))
            #expect(try !store.isOptedOut(poolNumber: "+15550000002", customer: "+12135550123"), "per pool number")
            // Pruning old rows does not forget an opt-out.
            _ = try store.prune(olderThan: t0.addingTimeInterval(86400 * 365))
            store.close()
        }
        let store = try db.open()
        defer { store.close() }
        #expect(try store.optOuts() == [
            OptOut(poolNumber: "+15550000001", customer: "+12135550123", keyword: "UNSUBSCRIBE", time: t0.addingTimeInterval(120)),
            OptOut(poolNumber: "+15550000001", customer: "+12135550999", keyword: "QUIT", time: t0.addingTimeInterval(60)),
        ])
        try store.setOptOut(poolNumber: "+15550000001", customer: "+12135550123", keyword: nil, at: t0.addingTimeInterval(180))
        #expect(try !store.isOptedOut(poolNumber: "+15550000001", customer: "+12135550123"))
        #expect(try store.optOuts().map(\.customer) == ["+12135550999"])
        // Opting in when not opted out is harmless.
        try store.setOptOut(poolNumber: "+15550000009", customer: "+12135550123", keyword: nil, at: t0)
    }
}
