import Foundation
import Testing
import TestSupport

extension EndToEnd.Routing {
    /// Issue 16 against the built binary: replies reach the right customer, a thread stays with its
    /// member, and a call opens a conversation the member can text back on.
    @Test func repliesConversationsAndCallsReachTheRightPeople() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let solo = "+15552222221"
        try workspace.writeRoutes(Fixture.routes(support: [solo]))
        let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure", "--public-url", "https://sb.example.com"])
        var sid = 0
        func text(from: String, to: String = Fixture.supportNumber, _ body: String) throws -> (to: [String], body: String) {
            sid += 1
            let response = try daemon.request("POST", "/sms", headers: Fixture.formHeaders,
                                              body: HTTP.form(Fixture.smsFields(sid: "SM-c\(sid)", from: from, to: to, body: body)))
            #expect(response.status == 200)
            return (Answer.messageRecipients(response.body), response.body)
        }

        // Two customers texting one member: each addressed reply reaches its customer.
        let alice = "+12135550123", bruno = "+13105550456"
        #expect(try text(from: alice, "Do you deliver?").to == [solo])
        #expect(try text(from: bruno, "Open Sunday?").to == [solo])
        let toAlice = try text(from: solo, "@0123 Yes, every day")
        #expect(toAlice.to == [alice])
        #expect(toAlice.body.contains(">Yes, every day<"), "the address is taken off: \(toAlice.body)")
        #expect(try text(from: solo, "@0456 Sundays 10-4").to == [bruno])
        #expect(try text(from: solo, "Anything else?").to == [bruno], "a bare reply goes to the newest conversation")
        #expect(try text(from: solo, "@0123 Thanks!").to == [alice])
        let unknown = try text(from: solo, "@7777 hello")
        #expect(unknown.to == [solo])
        #expect(unknown.body.contains("Not sent: no conversation of yours is with a number ending 7777"))

        // Continuity in a round-robin pool: five texts from one customer stay with one member,
        // while another customer's first text takes the next turn.
        let carla = "+14155550789", dmitri = "+16175550111"
        let carlas = try (0..<5).map { try text(from: carla, to: Fixture.salesNumber, "message \($0)").to }
        #expect(carlas == Array(repeating: [Fixture.sales[0]], count: 5))
        #expect(try text(from: dmitri, to: Fixture.salesNumber, "hello").to == [Fixture.sales[1]])
        #expect(try text(from: carla, to: Fixture.salesNumber, "one more").to == [Fixture.sales[0]])

        // A caller routed to a member: the member's text through the number reaches the caller.
        let caller = "+17185550222"
        let call = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders,
                                      body: Fixture.voiceBody(callID: "call-back", from: caller, to: Fixture.salesNumber))
        // (The turn went back to the first member with Carla's last text, as with a sticky pool.)
        let member = try #require(Answer.firstMember(call.body))
        #expect(member == Fixture.sales[1])
        let back = try text(from: member, to: Fixture.salesNumber, "Sorry I missed your call")
        #expect(back.to == [caller], "\(back.body)")
        #expect(daemon.stop() == .exited(0))
    }
}
