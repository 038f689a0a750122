import Testing
import Store

@Suite struct StatusProgressTests {
    @Test(arguments: [
        ("queued", 1), ("initiated", 1), ("created", 1), ("ringing", 2), ("in-progress", 3), ("answered", 3),
        ("ending", 4), ("completed", 100), ("busy", 100), ("failed", 100), ("no-answer", 100),
        ("canceled", 100), ("ended", 100),
    ])
    func callRanks(status: String, rank: Int) {
        #expect(StatusProgress.rank(kind: .call, status: status) == rank)
    }

    @Test(arguments: [
        ("queued", 1), ("accepted", 1), ("sending", 2), ("sent", 3), ("delivered", 100), ("undelivered", 100),
        ("failed", 100), ("receiving", 1), ("received", 100),
    ])
    func messageRanks(status: String, rank: Int) {
        #expect(StatusProgress.rank(kind: .message, status: status) == rank)
    }

    @Test func spellingIsForgiving() {
        #expect(StatusProgress.rank(kind: .call, status: "IN_PROGRESS") == 3)
        #expect(StatusProgress.rank(kind: .call, status: "No-Answer") == StatusProgress.terminalRank)
    }

    @Test func unknownAndCrossKindStatusesHaveNoRank() {
        #expect(StatusProgress.rank(kind: .call, status: "teleported") == nil)
        #expect(StatusProgress.rank(kind: .call, status: "") == nil)
        #expect(StatusProgress.rank(kind: .call, status: "delivered") == nil)
        #expect(StatusProgress.rank(kind: .message, status: "ringing") == nil)
        #expect(StatusProgress.rank(kind: .message, status: "completed") == nil)
    }

    @Test func terminalStatuses() {
        for status in ["completed", "busy", "failed", "no-answer", "canceled", "ended"] {
            #expect(StatusProgress.isTerminal(kind: .call, status: status))
        }
        for status in ["delivered", "undelivered", "failed", "received"] {
            #expect(StatusProgress.isTerminal(kind: .message, status: status))
        }
        for status in ["queued", "ringing", "in-progress", "answered", "ending", "unknown"] {
            #expect(!StatusProgress.isTerminal(kind: .call, status: status))
        }
        for status in ["queued", "accepted", "sending", "sent", "receiving"] {
            #expect(!StatusProgress.isTerminal(kind: .message, status: status))
        }
    }

    @Test func onlyStrictlyForwardMovesAdvance() {
        let rank = { StatusProgress.rank(kind: .call, status: $0) }
        #expect(StatusProgress.advances(from: nil, to: rank("ringing")))
        #expect(StatusProgress.advances(from: rank("queued"), to: rank("ringing")))
        #expect(StatusProgress.advances(from: rank("ringing"), to: rank("completed")))
        #expect(!StatusProgress.advances(from: rank("ringing"), to: rank("queued")))
        #expect(!StatusProgress.advances(from: rank("in-progress"), to: rank("answered")))
        #expect(!StatusProgress.advances(from: rank("answered"), to: rank("in-progress")))
        #expect(!StatusProgress.advances(from: rank("completed"), to: rank("busy")))
        #expect(!StatusProgress.advances(from: rank("completed"), to: rank("ringing")))
        #expect(!StatusProgress.advances(from: nil, to: nil))
        #expect(!StatusProgress.advances(from: rank("queued"), to: rank("mystery")))
    }

    /// Every ordered pair of known call statuses: a move advances exactly when it goes up a rank.
    @Test func everyPairOfCallStatuses() {
        let statuses = ["queued", "initiated", "created", "ringing", "in-progress", "answered", "ending",
                        "completed", "busy", "failed", "no-answer", "canceled", "ended"]
        let order = ["queued": 0, "initiated": 0, "created": 0, "ringing": 1, "in-progress": 2, "answered": 2,
                     "ending": 3]
        for from in statuses {
            for to in statuses {
                let expected = (order[to] ?? 9) > (order[from] ?? 9)
                let actual = StatusProgress.advances(
                    from: StatusProgress.rank(kind: .call, status: from),
                    to: StatusProgress.rank(kind: .call, status: to))
                #expect(actual == expected, "\(from) -> \(to)")
            }
        }
    }
}
