import Foundation
import Store
import Testing
import TestSupport

extension EndToEnd.Routing {
    /// Issue 16, against the built binary: STOP recorded and answered, members told, a member's reply
    /// to that customer held back with a notice, START undoing it (across a restart), HELP answered.
    @Test func optOutsAreHonouredAndSurviveARestart() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.writeRoutes(Fixture.routes())
        let arguments = ["--no-configure", "--public-url", "https://sb.example.com"]
        var daemon = try DaemonProcess(workspace: workspace, arguments: arguments,
                                       environment: ["SWITCHBOARD_ADMIN_TOKEN": "admin-t0ken"])
        let customer = "+12135550123"
        func text(_ sid: String, from: String, _ body: String) throws -> TestClient.Response {
            try daemon.request("POST", "/sms", headers: Fixture.formHeaders,
                               body: HTTP.form(Fixture.smsFields(sid: sid, from: from, body: body)))
        }

        let first = try text("SM-1", from: customer, "Do you deliver?")
        #expect(Answer.messageRecipients(first.body) == [Fixture.support[0]])

        let stop = try text("SM-2", from: customer, "  Stop \n")
        #expect(stop.status == 200)
        // The confirmation to the customer, then a notice to each member; the STOP is not forwarded as a text.
        #expect(Answer.messageRecipients(stop.body) == [customer] + Fixture.support, "\(stop.body)")
        #expect(stop.body.contains("You have been unsubscribed"))
        #expect(stop.body.contains("\(customer) opted out (texted STOP)"))
        #expect(!stop.body.contains("From \(customer):"))

        let held = try text("SM-3", from: Fixture.support[0], "We do!")
        #expect(Answer.messageRecipients(held.body) == [Fixture.support[0]], "not relayed: \(held.body)")
        #expect(held.body.contains("Not sent: \(customer) has opted out"))

        let admin = try daemon.request("GET", "/admin/optouts", headers: [("Authorization", "Bearer admin-t0ken")])
        #expect(admin.status == 200)
        #expect(admin.body.contains(#""customer" : "\#(customer)""#), "\(admin.body)")
        #expect(admin.body.contains(#""keyword" : "STOP""#))
        #expect(daemon.metric(#"switchboard_text_keywords_total{kind="opt_out"}"#) == 1)
        #expect(daemon.metric(#"switchboard_text_keywords_total{kind="blocked_reply"}"#) == 1)
        #expect(daemon.stop() == .exited(0))

        // The opt-out outlives the process.
        let stats = try ChildProcess.run(try SwitchboardBinary.path(), ["stats", "--db", workspace.databasePath],
                                         environment: workspace.environment([:]), timeout: 20)
        #expect(stats.status == .exited(0))
        #expect(stats.stdout.contains(customer) && stats.stdout.contains("1 opted out"), "\(stats.stdout)")
        daemon = try DaemonProcess(workspace: workspace, arguments: arguments)
        #expect(try text("SM-4", from: Fixture.support[0], "Still there?").body.contains("Not sent"))

        let start = try text("SM-5", from: customer, "START")
        #expect(Answer.messageRecipients(start.body) == [customer] + Fixture.support)
        #expect(start.body.contains("You have been resubscribed"))
        let relayed = try text("SM-6", from: Fixture.support[0], "Welcome back")
        #expect(Answer.messageRecipients(relayed.body) == [customer], "relayed again: \(relayed.body)")
        #expect(relayed.body.contains("Welcome back"))

        let help = try text("SM-7", from: customer, "help")
        #expect(Answer.messageRecipients(help.body) == [customer] + Fixture.support)
        #expect(help.body.contains("Reply STOP to unsubscribe"))
        #expect(daemon.stop() == .exited(0))
        let store = try SQLiteStore(path: workspace.databasePath, readOnly: true)
        defer { store.close() }
        #expect(try store.optOuts().isEmpty)
    }
}
