import Dispatch
import Foundation
import TestSupport
import Testing
@testable import Store

@Suite struct SQLiteStoreStatusTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func withStore(_ kind: StoreKind, _ body: (any SwitchboardStore) throws -> Void) throws {
        try withTemporaryStore(kind, body)
    }

    func call(_ status: String, _ id: String = "CA1", sequence: String = "", after seconds: TimeInterval = 0) -> StatusEvent {
        StatusEvent(kind: .call, id: id, status: status, sequence: sequence, time: start + seconds,
                    from: "+15550001000", to: "+15550000001")
    }

    func eventCount(_ store: any SwitchboardStore, id: String) throws -> Int {
        try count(store, "SELECT count(*) FROM status_events WHERE id = $1", [id])
    }

    /// `switchboard doctor`'s failed texts: failed and undelivered ones since the cutoff, newest first,
    /// each with its error code; calls and delivered texts are left out.
    @Test(arguments: StoreKind.available) func messageFailuresAreTheFailedTextsSinceTheCutoffNewestFirst(kind: StoreKind) throws {
        try withStore(kind) { store in
            func text(_ id: String, _ status: String, after seconds: TimeInterval, code: String? = nil) -> StatusEvent {
                StatusEvent(kind: .message, id: id, status: status, time: start + seconds, from: "+15550000001", to: "+15550001000",
                            detail: code.map { "error=\($0)" })
            }
            try store.recordStatus(text("SM-old", "failed", after: -10, code: "30003"))
            try store.recordStatus(text("SM1", "sent", after: 1))
            try store.recordStatus(text("SM1", "undelivered", after: 2, code: "30007"))
            try store.recordStatus(text("SM2", "delivered", after: 3))
            try store.recordStatus(text("SM3", "failed", after: 4, code: "21717"))
            try store.recordStatus(call("failed", "CA9", after: 5))
            let failures = try store.messageFailures(since: start, limit: 10)
            #expect(failures.map(\.id) == ["SM3", "SM1"])
            #expect(failures.map(\.detail) == ["error=21717", "error=30007"])
            #expect(failures.first?.to == "+15550001000")
            #expect(try store.messageFailures(since: start - 60, limit: 2).map(\.id) == ["SM3", "SM1"], "the limit")
        }
    }

    /// Without blocking: one batch holds a call's whole progress, a repeat and a voicemail, and each
    /// completion reports what the blocking call would have.
    @Test(arguments: StoreKind.available) func batchedStatusesKeepTheirOutcomes(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            let outcomes = Locked<[String: StatusOutcome]>([:])
            let done = DispatchGroup()
            store.holdCommits()
            let events = [("queued", 0.0), ("ringing", 1), ("ringing", 1), ("completed", 3), ("in-progress", 2)]
            for (i, (status, at)) in events.enumerated() {
                done.enter()
                store.recordStatus(call(status, after: at)) { result in
                    if case .success(let outcome) = result { outcomes.withLock { $0["\(i) \(status)"] = outcome } }
                    done.leave()
                }
            }
            done.enter()
            let voicemail = Voicemail(callID: "CA1", recordingURL: "https://files.example/r.mp3", duration: 7, time: start)
            store.recordVoicemail(voicemail) { result in
                if case .success = result { outcomes.withLock { $0["voicemail"] = .advanced } }
                done.leave()
            }
            #expect(try eventCount(store, id: "CA1") == 0, "held: nothing written yet")
            store.releaseCommits()
            #expect(done.wait(timeout: .now() + 10) == .success)
            #expect(outcomes.current == [
                "0 queued": .advanced, "1 ringing": .advanced, "2 ringing": .duplicate, "3 completed": .advanced,
                "4 in-progress": .storedOnly, "voicemail": .advanced,
            ])
            #expect(try store.currentStatus(id: "CA1") == "completed")
            #expect(try eventCount(store, id: "CA1") == 4)
        }
    }

    @Test(arguments: StoreKind.available) func forwardProgressAdvances(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            for (step, status) in ["queued", "ringing", "in-progress", "completed"].enumerated() {
                #expect(try store.recordStatus(call(status, after: Double(step))) == .advanced)
                #expect(try store.currentStatus(id: "CA1") == status)
            }
        }
    }

    @Test(arguments: StoreKind.available) func duplicatesAreStoredOnce(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            #expect(try store.recordStatus(call("ringing")) == .advanced)
            #expect(try store.recordStatus(call("ringing", after: 5)) == .duplicate)
            #expect(try store.recordStatus(call("ringing", sequence: "2")) == .storedOnly)
            #expect(try eventCount(store, id: "CA1") == 2)
        }
    }

    @Test(arguments: StoreKind.available) func outOfOrderNeverMovesBackwards(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            #expect(try store.recordStatus(call("completed", after: 30)) == .advanced)
            #expect(try store.recordStatus(call("ringing", after: 1)) == .storedOnly)
            #expect(try store.recordStatus(call("in-progress", after: 2)) == .storedOnly)
            #expect(try store.currentStatus(id: "CA1") == "completed")
            #expect(try eventCount(store, id: "CA1") == 3)
        }
    }

    @Test(arguments: StoreKind.available) func terminalIsNeverLeftEvenForAnotherTerminal(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            #expect(try store.recordStatus(call("ringing")) == .advanced)
            #expect(try store.recordStatus(call("no-answer", after: 20)) == .advanced)
            #expect(try store.recordStatus(call("completed", after: 21)) == .storedOnly)
            #expect(try store.recordStatus(call("busy", after: 22)) == .storedOnly)
            #expect(try store.currentStatus(id: "CA1") == "no-answer")
        }
    }

    @Test(arguments: StoreKind.available) func answeredEqualsInProgress(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            #expect(try store.recordStatus(call("answered", after: 1)) == .advanced)
            #expect(try store.recordStatus(call("in-progress", after: 1)) == .storedOnly)
            #expect(try store.currentStatus(id: "CA1") == "answered")
            #expect(try store.recordStatus(call("in-progress", "CA2")) == .advanced)
            #expect(try store.recordStatus(call("answered", "CA2")) == .storedOnly)
            #expect(try store.recordStatus(call("ringing", "CA2")) == .storedOnly)
            #expect(try store.currentStatus(id: "CA2") == "in-progress")
        }
    }

    @Test(arguments: StoreKind.available) func unknownStatusesAreStoredButNeverMoveTheCurrentOne(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            #expect(try store.recordStatus(call("teleported")) == .storedOnly)
            #expect(try store.currentStatus(id: "CA1") == nil)
            #expect(try store.recordStatus(call("ringing")) == .advanced)
            #expect(try store.recordStatus(call("beamed-up", after: 9)) == .storedOnly)
            #expect(try store.currentStatus(id: "CA1") == "ringing")
            #expect(try eventCount(store, id: "CA1") == 3)
        }
    }

    @Test(arguments: StoreKind.available) func messageSegmentsAreAllStored(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            func message(_ status: String, _ segment: String) -> StatusEvent {
                StatusEvent(kind: .message, id: "SM1", status: status, sequence: segment, time: start, detail: "segment \(segment)")
            }
            #expect(try store.recordStatus(message("sent", "0")) == .advanced)
            #expect(try store.recordStatus(message("sent", "1")) == .storedOnly)
            #expect(try store.recordStatus(message("sent", "2")) == .storedOnly)
            #expect(try store.recordStatus(message("delivered", "1")) == .advanced)
            #expect(try store.recordStatus(message("delivered", "0")) == .storedOnly)
            #expect(try store.recordStatus(message("undelivered", "2")) == .storedOnly)
            #expect(try store.recordStatus(message("delivered", "1")) == .duplicate)
            #expect(try store.recordStatus(message("sending", "3")) == .storedOnly)
            #expect(try eventCount(store, id: "SM1") == 7)
            #expect(try store.currentStatus(id: "SM1") == "delivered")
        }
    }

    @Test(arguments: StoreKind.available) func callsAndMessagesAreKeptApart(kind: StoreKind) throws {
        try withStore(kind) { store throws in
            #expect(try store.recordStatus(call("completed", "X1")) == .advanced)
            let message = StatusEvent(kind: .message, id: "X1", status: "completed", time: start)
            #expect(try store.recordStatus(message) == .storedOnly)  // not a message status
            #expect(try store.recordStatus(StatusEvent(kind: .message, id: "X1", status: "queued", time: start)) == .advanced)
            #expect(try eventCount(store, id: "X1") == 3)
            #expect(try store.currentStatus(id: "nobody") == nil)
        }
    }
}
