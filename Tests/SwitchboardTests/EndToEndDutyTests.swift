import Foundation
import Testing
import TestSupport

extension EndToEnd {
    /// Issue 19 against the built binary: a member paused by the command line, the admin API or their
    /// own OFF text is not rung by the next call; a restart keeps it; `max_no_answer` pauses a member
    /// after that many offers in a row they did not answer, and tells them.
    @Suite struct Duty {
        static let token = "admin-t0ken"
        static let auth = [("Authorization", "Bearer \(token)")]

        /// sales rings in list order, so who is first shows who is on duty.
        static func routes(maxNoAnswer: Int? = nil) -> String {
            """
            {
              "numbers": { "\(Fixture.salesNumber)": { "voice": "sales", "sms": "sales" } },
              "pools": {
                "sales": { "members": ["\(Fixture.sales[0])", "\(Fixture.sales[1])", "\(Fixture.sales[2])"], "strategy": "sequential",
                           "voicemail": false\(maxNoAnswer.map { #", "max_no_answer": \#($0)"# } ?? "") }
              }
            }
            """
        }

        static func rung(_ daemon: DaemonProcess, _ id: String) throws -> [String] {
            Answer.connectTargets(try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: id)).body)
        }

        /// Polls until the next call rings `expected` (the daemon reads pauses written by another
        /// process within a second), bounded.
        static func waitUntilRung(_ daemon: DaemonProcess, _ expected: [String], _ label: String) throws -> [String] {
            let deadline = Date().addingTimeInterval(5)
            var index = 0
            var last: [String] = []
            repeat {
                index += 1
                last = try rung(daemon, "\(label)-\(index)")
                if last == expected { return last }
                usleep(100_000)
            } while Date() < deadline
            return last
        }

        @Test func aPauseFromTheCommandLineHoldsForTheNextCallAndAfterARestart() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Self.routes())
            var daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"])
            #expect(try Self.rung(daemon, "before") == Fixture.sales)
            func members(_ arguments: String...) throws -> (status: ExitStatus?, stdout: String, stderr: String) {
                try ChildProcess.run(try SwitchboardBinary.path(), ["members"] + arguments + ["--routes", workspace.routesPath, "--db", workspace.databasePath],
                                     environment: workspace.environment())
            }
            let pause = try members("pause", "sales", Fixture.sales[0], "--reason", "lunch")
            #expect(pause.status == .exited(0), "\(pause.stderr)")
            #expect(pause.stdout == "Paused \(Fixture.sales[0]) in sales until resumed.\n")
            #expect(try Self.waitUntilRung(daemon, Array(Fixture.sales.dropFirst()), "cli") == Array(Fixture.sales.dropFirst()))
            let list = try members("list")
            #expect(list.stdout.split(separator: "\n").contains { $0.contains(Fixture.sales[0]) && $0.contains("paused") && $0.contains("cli") && $0.contains("lunch") },
                    "\(list.stdout)")
            #expect(daemon.stop() == .exited(0))

            daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"])
            #expect(try Self.rung(daemon, "restarted") == Array(Fixture.sales.dropFirst()), "a restart keeps the pause")
            let resume = try members("resume", "sales", Fixture.sales[0])
            #expect(resume.stdout == "Resumed \(Fixture.sales[0]) in sales.\n")
            #expect(try Self.waitUntilRung(daemon, Fixture.sales, "resumed") == Fixture.sales)
            #expect(daemon.stop() == .exited(0))
        }

        @Test func theAdminAPIPausesAndResumesAndTheOverviewShowsIt() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Self.routes())
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"], environment: ["SWITCHBOARD_ADMIN_TOKEN": Self.token])
            defer { daemon.process.kill() }
            let path = "/admin/pools/sales/members/%2B\(Fixture.sales[1].dropFirst())/pause"
            #expect(try daemon.request("POST", path).status == 401, "the token is required")
            let paused = try daemon.request("POST", path, headers: Self.auth + Fixture.jsonHeaders,
                                            body: #"{"reason":"at the dentist","until":"2099-01-01T00:00:00Z"}"#)
            #expect(paused.status == 200, "\(paused.body)")
            let member = try JSONSerialization.jsonObject(with: Data(paused.body.utf8)) as? [String: Any]
            #expect(member?["state"] as? String == "paused")
            #expect((member?["paused"] as? [String: Any])?["reason"] as? String == "at the dentist")
            #expect((member?["paused"] as? [String: Any])?["by"] as? String == "admin")
            // The next call, at once: the pause was made in this process.
            #expect(try Self.rung(daemon, "admin-1") == [Fixture.sales[0], Fixture.sales[2]])

            let overview = try daemon.request("GET", "/admin/overview", headers: Self.auth)
            #expect(overview.status == 200)
            let body = try JSONSerialization.jsonObject(with: Data(overview.body.utf8)) as? [String: Any]
            let pool = (body?["pools"] as? [[String: Any]])?.first
            #expect(pool?["name"] as? String == "sales" && pool?["next"] as? String == Fixture.sales[0])
            let states = (pool?["members"] as? [[String: Any]])?.map { $0["state"] as? String }
            #expect(states == ["available", "paused", "available"], "\(overview.body)")
            #expect((body?["routes"] as? [String: Any])?["ok"] as? Bool == true)
            // The call just routed is listed at once, before any callback settles it.
            let calls = body?["calls"] as? [[String: Any]] ?? []
            #expect(calls.first?["id"] as? String == "admin-1" && calls.first?["pool"] as? String == "sales", "\(calls)")
            #expect(try daemon.request("GET", "/admin/overview").status == 401)

            // Unknown pool or member: 404, and nothing changes. A bad until: 400.
            #expect(try daemon.request("POST", "/admin/pools/nope/members/%2B15551111111/pause", headers: Self.auth).status == 404)
            #expect(try daemon.request("POST", "/admin/pools/sales/members/%2B19999999999/pause", headers: Self.auth).status == 404)
            #expect(try daemon.request("POST", "/admin/pools/sales/members/%2B15551111111/nap", headers: Self.auth).status == 404)
            #expect(try daemon.request("POST", "/admin/pools/sales/members/%2B15551111111/pause", headers: Self.auth + Fixture.jsonHeaders,
                                       body: #"{"until":"yesterday"}"#).status == 400)
            #expect(try Self.rung(daemon, "admin-2") == [Fixture.sales[0], Fixture.sales[2]])

            let resumed = try daemon.request("POST", path.replacingOccurrences(of: "/pause", with: "/resume"), headers: Self.auth)
            #expect(resumed.status == 200 && resumed.body.contains(#""state" : "available""#), "\(resumed.body)")
            #expect(try Self.rung(daemon, "admin-3") == Fixture.sales)
            // Counted under the route, not under each member's path (a bounded set of labels).
            #expect(daemon.waitForMetric(#"switchboard_http_requests_total{endpoint="/admin/pools/*",status="200"}"#, toBe: 2) == 2)
            #expect(daemon.waitForMetric(#"switchboard_http_requests_total{endpoint="/admin/pools/*",status="404"}"#, toBe: 3) == 3)
            #expect(daemon.stop() == .exited(0))
        }

        @Test func aMemberTextsOffAndOnToThePoolNumber() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Self.routes())
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"])
            defer { daemon.process.kill() }
            func text(_ body: String, sid: String) throws -> String {
                try daemon.request("POST", "/sms", headers: Fixture.formHeaders,
                                   body: HTTP.form(Fixture.smsFields(sid: sid, from: Fixture.sales[0], to: Fixture.salesNumber, body: body))).body
            }
            let off = try text("off", sid: "SM-off")
            #expect(Answer.messageRecipients(off) == [Fixture.sales[0]])
            #expect(off.contains("You are off duty in sales: no calls or texts until you text ON."), "\(off)")
            #expect(try Self.rung(daemon, "sms-1") == Array(Fixture.sales.dropFirst()))
            // A customer's text is not forwarded to them either.
            let customer = try daemon.request("POST", "/sms", headers: Fixture.formHeaders,
                                              body: HTTP.form(Fixture.smsFields(sid: "SM-c", to: Fixture.salesNumber, body: "OFF"))).body
            #expect(Answer.messageRecipients(customer) == [Fixture.sales[1]], "a customer's OFF is an ordinary text: \(customer)")
            let on = try text("ON", sid: "SM-on")
            #expect(on.contains("You are on duty again in sales. Text OFF to go off duty."), "\(on)")
            #expect(try Self.rung(daemon, "sms-2") == Fixture.sales)
            #expect(daemon.stop() == .exited(0))
        }

        @Test func maxNoAnswerPausesAMemberAfterThatManyMissedOffersAndTellsThem() throws {
            let fake = try FakeSignalWire(numbers: [])
            defer { fake.shutdown() }
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Self.routes(maxNoAnswer: 2))
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure", "--public-url", "https://sb.example.com"], environment: [
                "SIGNALWIRE_PROJECT_ID": fake.projectID, "SIGNALWIRE_API_TOKEN": fake.apiToken, "SIGNALWIRE_SPACE_URL": fake.origin,
                "SWITCHBOARD_MISSED_AFTER": "1",
            ])
            defer { daemon.process.kill() }
            func post(_ path: String, _ body: String) throws {
                let response = try daemon.request("POST", path, headers: Fixture.jsonHeaders, body: body)
                #expect(response.status == 200 || response.status == 204, "\(path): \(response.status)")
            }
            func call(_ id: String, answeredBy: Int?) throws {
                #expect(try Self.rung(daemon, id).first == Fixture.sales[0])
                // The first member rings out; the second answers, or rings out too.
                for state in ["created", "ringing", "ended"] {
                    try post("/status/call", Notifications.legEvent(leg: "\(id)-0", parent: id, member: Fixture.sales[0], state: state))
                }
                for state in answeredBy == 1 ? ["created", "answered", "ended"] : ["created", "ringing", "ended"] {
                    try post("/status/call", Notifications.legEvent(leg: "\(id)-1", parent: id, member: Fixture.sales[1], state: state))
                }
            }
            try call("nna-1", answeredBy: 1)
            #expect(daemon.waitForMetric(#"switchboard_call_outcomes_total{pool="sales",outcome="answered"}"#, toBe: 1) == 1)
            #expect(try Self.rung(daemon, "between").first == Fixture.sales[0], "one miss in a row is not two")
            try call("nna-2", answeredBy: nil)
            #expect(daemon.waitForMetric(#"switchboard_call_outcomes_total{pool="sales",outcome="missed"}"#, toBe: 1, timeout: 15) == 1)
            // Member 0 missed twice in a row: paused; member 1 missed once since answering: still on.
            #expect(try Self.waitUntilRung(daemon, [Fixture.sales[1], Fixture.sales[2]], "after") == [Fixture.sales[1], Fixture.sales[2]],
                    "\(daemon.log.text)")
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, fake.sentMessages.isEmpty { usleep(100_000) }
            #expect(fake.sentMessages.map(\.to) == [Fixture.sales[0]])
            #expect(fake.sentMessages.first?.from == Fixture.salesNumber)
            #expect(fake.sentMessages.first?.body == "You are paused in sales (2 calls in a row not answered). Text ON to this number when you are back.")
            let list = try ChildProcess.run(try SwitchboardBinary.path(), ["members", "list", "--routes", workspace.routesPath, "--db", workspace.databasePath],
                                            environment: workspace.environment())
            #expect(list.stdout.split(separator: "\n").contains { $0.contains(Fixture.sales[0]) && $0.contains("paused") && $0.contains("auto") }, "\(list.stdout)")
            #expect(daemon.stop() == .exited(0))
        }
    }
}
