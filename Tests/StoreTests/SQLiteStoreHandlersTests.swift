import Foundation
import Testing
@testable import Store

@Suite struct SQLiteStoreHandlersTests {
    @Test(arguments: StoreKind.available) func theFirstKeptValueOfAFieldWinsAndSurvivesReopening(kind: StoreKind) throws {
        let db = try TestDatabase(kind)
        defer { db.remove() }
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        do {
            let store = try db.open()
            #expect(try store.keptHandlers().isEmpty)
            try store.keepHandlers(SavedHandlers(number: "+15550000001", numberID: "pn-1",
                                                 fields: ["call_handler": "laml_webhooks", "call_request_url": nil], saved: t0))
            // A later change keeps only fields not kept yet: what was there before Switchboard wins.
            try store.keepHandlers(SavedHandlers(number: "+15550000001", numberID: "pn-1",
                                                 fields: ["call_handler": "relay_script", "message_request_url": "https://old.example/sms"],
                                                 saved: t0.addingTimeInterval(60)))
            try store.keepHandlers(SavedHandlers(number: "+15550000002", numberID: "pn-2", fields: ["message_handler": nil], saved: t0))
            store.close()
        }
        let store = try db.open()
        defer { store.close() }
        #expect(try store.keptHandlers() == [
            SavedHandlers(number: "+15550000001", numberID: "pn-1",
                          fields: ["call_handler": "laml_webhooks", "call_request_url": nil, "message_request_url": "https://old.example/sms"],
                          saved: t0),
            SavedHandlers(number: "+15550000002", numberID: "pn-2", fields: ["message_handler": nil], saved: t0),
        ])
        try store.forgetHandlers(number: "+15550000001")
        #expect(try store.keptHandlers().map(\.number) == ["+15550000002"])
        // Pruning never forgets them.
        _ = try store.prune(olderThan: t0.addingTimeInterval(86400 * 365))
        #expect(try store.keptHandlers().count == 1)
    }
}
