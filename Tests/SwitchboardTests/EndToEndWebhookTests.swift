import Foundation
import Store
import Testing
import TestSupport

extension EndToEnd.Routing {
    // The webhook shapes the README's endpoint table lists besides JSON SWML requests, and the SMS relay (issue 3).

    @Test func formQueryAndUnroutedRequestsGetTheRightAnswers() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.writeRoutes(Fixture.routes())
        let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"])
        defer { daemon.process.kill() }

        let form = try daemon.request("POST", "/voice", headers: Fixture.formHeaders,
                                      body: HTTP.form([("CallSid", "CA-form"), ("From", "+12135550000"), ("To", Fixture.salesNumber)]))
        #expect(form.status == 200)
        #expect(form.headers["content-type"]?.hasPrefix("application/json") == true)
        #expect(Answer.firstMember(form.body) == Fixture.sales[0])
        let query = try daemon.request("GET", "/voice?CallSid=CA-query&From=%2B12135550000&To=%2B15550000001")
        #expect(query.status == 200)
        #expect(Answer.firstMember(query.body) == Fixture.sales[1])

        // No route and no default: a polite goodbye, no member, nothing recorded.
        let unrouted = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "nowhere", to: "+15557770000"))
        #expect(unrouted.status == 200)
        #expect(Answer.connectTargets(unrouted.body).isEmpty)
        #expect(unrouted.body.contains("not in service"), "\(unrouted.body)")
        let unroutedText = try daemon.request("POST", "/sms", headers: Fixture.formHeaders,
                                              body: HTTP.form(Fixture.smsFields(sid: "SM-nowhere", to: "+15557770000")))
        #expect(unroutedText.status == 200)
        #expect(unroutedText.headers["content-type"]?.hasPrefix("application/xml") == true)
        #expect(unroutedText.body.contains("<Response/>"), "\(unroutedText.body)")

        let notFound = try daemon.request("GET", "/nope")
        #expect(notFound.status == 404)
        #expect(notFound.headers["content-type"]?.hasPrefix("text/plain") == true)
        #expect(try daemon.request("DELETE", "/voice").status == 405)
        #expect(daemon.stop() == .exited(0))
        let store = try SQLiteStore(path: workspace.databasePath, readOnly: true)
        defer { store.close() }
        #expect(try store.decisionCount() == 2)
    }

    @Test func textsAreForwardedAndAMemberReplyGoesBackToTheCustomer() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.writeRoutes(Fixture.routes())
        let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure", "--public-url", "https://sb.example.com"])
        defer { daemon.process.kill() }
        let customer = "+12135550123"
        let inbound = try daemon.request("POST", "/sms", headers: Fixture.formHeaders,
                                         body: HTTP.form(Fixture.smsFields(sid: "SM-in", from: customer, body: "Is 5 < 6 & 7?")))
        #expect(inbound.status == 200)
        #expect(Answer.messageRecipients(inbound.body) == [Fixture.support[0]])
        #expect(inbound.body.contains(#"from="\#(Fixture.supportNumber)""#))
        #expect(inbound.body.contains(#"statusCallback="https://sb.example.com/status/message""#))
        #expect(!inbound.body.contains("action="))
        #expect(inbound.body.contains(customer) && inbound.body.contains("Is 5 &lt; 6 &amp; 7?"), "\(inbound.body)")

        let reply = try daemon.request("POST", "/sms", headers: Fixture.formHeaders,
                                       body: HTTP.form(Fixture.smsFields(sid: "SM-reply", from: Fixture.support[0], body: "On my way")))
        #expect(Answer.messageRecipients(reply.body) == [customer], "relayed to the customer: \(reply.body)")
        #expect(reply.body.contains(#"from="\#(Fixture.supportNumber)""#), "from the pool number, masking the member")
        #expect(reply.body.contains("On my way"))
        #expect(daemon.stop() == .exited(0))
    }
}
