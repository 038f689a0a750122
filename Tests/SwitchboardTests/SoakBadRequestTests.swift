import Foundation
import Testing
import TestSupport

extension Soak {
    /// Every malformed request gets its 4xx (or 501/505), never a 5xx or silence, and the daemon
    /// goes on serving a normal call after each one.
    @Suite struct BadRequests {
        @Test func corpusIsLargeEnough() {
            #expect(BadRequestCorpus.all().count >= 100)
        }

        @Test func everyMalformedRequestGetsItsFourHundred() throws {
            let corpus = BadRequestCorpus.all()
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace)

            var statuses: [Int: Int] = [:]
            var problems: [String] = []
            let started = SoakClock.now()
            for (index, bad) in corpus.enumerated() {
                let client = try TestClient(port: daemon.port, timeout: 5)
                client.send(bad.bytes)
                if let response = client.readResponse() {
                    statuses[response.status, default: 0] += 1
                    if !BadRequest.isAcceptable(response.status) {
                        problems.append("#\(index) \(bad.name): \(response.status) \(response.body.prefix(80))")
                    } else if let expected = bad.expected, !expected.contains(response.status) {
                        problems.append("#\(index) \(bad.name): \(response.status), expected \(expected.sorted()) (\(response.body.prefix(80)))")
                    }
                } else {
                    problems.append("#\(index) \(bad.name): no answer (connection closed or 5 s timeout)")
                }
                if !daemon.servesVoice(callID: "after-bad-\(index)") {
                    problems.append("#\(index) \(bad.name): the daemon no longer serves /voice")
                    if daemon.process.hasExited { break }
                }
            }
            let metrics = daemon.metricsText()
            let serverErrors = metrics.split(separator: "\n").filter {
                $0.hasPrefix("switchboard_http_requests_total{") && $0.contains("status=\"5")
            }
            SoakReport.line("bad-requests", [
                "cases": corpus.count, "problems": problems.count,
                "statuses": statuses.keys.sorted().map { "\($0):\(statuses[$0]!)" }.joined(separator: ","),
                "seconds": String(format: "%.1f", SoakClock.now() - started),
            ])
            #expect(problems.isEmpty, "\(problems.count) cases went wrong:\n\(problems.joined(separator: "\n"))")
            #expect(serverErrors.isEmpty, "5xx answers counted: \(serverErrors)")
            #expect(daemon.stop() == .exited(0), "\(daemon.log.text.suffix(2000))")
        }

        /// Garbage after pipelined calls on one keep-alive connection: every call before it is
        /// answered in order, the garbage gets its 400, and the connection is then closed.
        @Test func garbageAfterPipelinedCalls() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace)
            let client = try TestClient(port: daemon.port, timeout: 5)
            var bytes = (0..<50).map { HTTP.raw("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "pipe-\($0)")) }.joined()
            bytes += HTTP.raw("GET", "/nowhere") + "GARBAGE \u{1}\r\n\r\n"
            client.send(bytes)
            var members: [String] = []
            for _ in 0..<50 {
                guard let response = client.readResponse(), response.status == 200 else { break }
                members.append(SwitchboardTests.Answer.firstMember(response.body) ?? "none")
            }
            #expect(members == (0..<50).map { salesMembers[$0 % salesMembers.count] })
            #expect(client.readResponse()?.status == 404)
            #expect(client.readResponse()?.status == 400)
            #expect(client.isClosedByServer())
            #expect(daemon.servesVoice())
            #expect(daemon.stop() == .exited(0))
        }
    }
}
