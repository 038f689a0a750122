import Foundation
import Testing
import TestSupport

extension EndToEnd {
    /// Issue 19's operator page in a real browser against the built binary: headless Chromium
    /// (Tests/Browser/operator_page.py, selenium) logs in with the admin token, pauses a member with
    /// the page's button, and the next /voice answers no longer ring them. Needs Debian's chromium,
    /// chromium-driver and python3-selenium, which `make deps` installs. The screenshots land in
    /// `.build/operator-page.png` (a phone) and `.build/operator-page-desktop.png`.
    @Suite struct OperatorPageInBrowser {
        static let token = "operator-page-e2e-token-19"
        static let pool = "sales"
        static let member = Fixture.sales[0]

        /// The package root, from this file's path (Tests/SwitchboardTests/<file>.swift).
        static func root(filePath: String = #filePath) -> URL {
            URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }

        static func requireBrowser() throws {
            for (path, package) in [("/usr/bin/python3", "python3"), ("/usr/bin/chromium", "chromium"),
                                    ("/usr/bin/chromedriver", "chromium-driver"),
                                    ("/usr/lib/python3/dist-packages/selenium", "python3-selenium")]
            where !FileManager.default.fileExists(atPath: path) {
                throw E2EError("\(path) is missing: install \(package) (`make deps` does)")
            }
        }

        var bearer: [(String, String)] { [("Authorization", "Bearer \(Self.token)")] }

        @Test func pausingAMemberInTheBrowserStopsTheNextCallsRingingThem() throws {
            try Self.requireBrowser()
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(Fixture.routes())
            let daemon = try DaemonProcess(workspace: workspace, arguments: ["--no-configure"],
                                           environment: ["SWITCHBOARD_ADMIN_TOKEN": Self.token])
            defer { daemon.process.kill() }

            // The page itself is served to anyone and carries nothing; the data needs the token.
            let page = try daemon.request("GET", "/admin/")
            try #require(page.status == 200, """
                GET /admin/ answered \(page.status): the daemon must serve the page, e.g. in Daemon.makeHandler
                router.add("GET", path: "/admin/") { _ in OperatorPage.response } (and "/admin")
                """)
            #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(page.headers["content-security-policy"]?.contains("default-src 'self'") == true)
            for number in Fixture.sales + Fixture.support { #expect(!page.body.contains(number)) }
            #expect(try daemon.request("GET", "/admin").status == 200)
            #expect(try daemon.request("GET", "/admin/overview").status == 401)

            let before = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "page-0"))
            #expect(Answer.connectTargets(before.body).contains(Self.member), "rung before the pause: \(before.body)")

            // The browser: log in, press Pause on the member, see the row paused, screenshot.
            let build = Self.root().appendingPathComponent(".build")
            let screenshot = build.appendingPathComponent("operator-page.png").path
            let desktop = build.appendingPathComponent("operator-page-desktop.png").path
            try? FileManager.default.removeItem(atPath: screenshot)
            let driver = Self.root().appendingPathComponent("Tests/Browser/operator_page.py").path
            let run = try ChildProcess.run("/usr/bin/python3", [
                driver, "--url", "http://127.0.0.1:\(daemon.port)/admin/", "--token", Self.token,
                "--pool", Self.pool, "--member", Self.member,
                "--screenshot", screenshot, "--desktop-screenshot", desktop,
            ], environment: workspace.environment(["PATH": "/usr/bin:/bin"]), timeout: 150)
            try #require(run.status == .exited(0), "the browser driver: \(run.status.map(String.init(describing:)) ?? "timed out")\n\(run.stderr)\n\(run.stdout)\ndaemon:\n\(daemon.log.text)")
            let seen = try #require(run.stdout.split(separator: "\n").last.flatMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }, "no JSON line from the driver: \(run.stdout)")
            #expect(seen["ok"] as? Bool == true)
            #expect(seen["state_after_reload"] as? String == "paused")
            #expect((seen["paused_detail"] as? String)?.contains("browser test") == true, "\(seen)")
            #expect(FileManager.default.fileExists(atPath: screenshot), "the screenshot at \(screenshot)")

            // The daemon has it: paused by the admin API, with the reason typed in the page.
            let overview = try daemon.request("GET", "/admin/overview", headers: bearer)
            #expect(overview.status == 200)
            let paused = try #require(Self.member(in: overview.body), "the member in \(overview.body)")
            #expect(paused["state"] as? String == "paused")
            let detail = paused["paused"] as? [String: Any]
            #expect(detail?["by"] as? String == "admin")
            #expect(detail?["reason"] as? String == "browser test")

            // The next calls ring the others, never the paused member.
            for n in 1...2 {
                let answer = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "page-\(n)"))
                #expect(answer.status == 200)
                let rung = Answer.connectTargets(answer.body)
                #expect(!rung.isEmpty, "someone is still rung: \(answer.body)")
                #expect(!rung.contains(Self.member), "call \(n) rings the paused member: \(rung)")
            }

            // And resuming brings them back: it was the pause that left them out.
            let encoded = Self.member.replacingOccurrences(of: "+", with: "%2B")
            let resumed = try daemon.request("POST", "/admin/pools/\(Self.pool)/members/\(encoded)/resume", headers: bearer)
            #expect(resumed.status == 200, "\(resumed.body)")
            let after = try daemon.request("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: "page-3"))
            #expect(Answer.connectTargets(after.body).contains(Self.member), "rung again after resume: \(after.body)")
        }

        /// The member object for `member` in pool `pool` of an /admin/overview answer.
        static func member(in overview: String) -> [String: Any]? {
            guard let object = try? JSONSerialization.jsonObject(with: Data(overview.utf8)) as? [String: Any],
                  let pools = object["pools"] as? [[String: Any]],
                  let sales = pools.first(where: { $0["name"] as? String == pool }),
                  let members = sales["members"] as? [[String: Any]] else { return nil }
            return members.first { $0["address"] as? String == member }
        }
    }
}
