import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension Soak {
    /// Every bad routes.json is refused by `switchboard check` (exit 1) and, installed with SIGHUP,
    /// by the running daemon, whose old routes keep serving.
    @Suite struct BadRoutes {
        @Test func corpusIsLargeEnoughAndTheBaseIsValid() throws {
            #expect(RoutesCorpus.all().count >= 100)
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(RoutesCorpus.base)
            let run = try ChildProcess.run(try SwitchboardBinary.path(), ["check", "--routes", workspace.routesPath],
                                           environment: workspace.environment())
            #expect(run.status == .exited(0), "the corpus base must be valid: \(run.stderr)")
        }

        @Test func checkRefusesEveryBadFile() throws {
            let corpus = RoutesCorpus.all()
            let workspace = try Workspace()
            defer { workspace.remove() }
            let binary = try SwitchboardBinary.path()
            let started = SoakClock.now()
            // Two at a time: each is a process start.
            let problems = Locked<[String]>([])
            runThreads(2, timeout: 120) { lane in
                for index in stride(from: lane, to: corpus.count, by: 2) {
                    let path = workspace.path + "/case-\(index).json"
                    do {
                        try Data(corpus[index].bytes).write(to: URL(fileURLWithPath: path))
                        let run = try ChildProcess.run(binary, ["check", "--routes", path], environment: workspace.environment())
                        if SoakScale.isVerbose {
                            print("[soak] check #\(index) \(corpus[index].name): \(run.stderr.split(separator: "\n").first ?? "")")
                        }
                        if run.status != .exited(1) || run.stderr.isEmpty {
                            problems.withLock { $0.append("#\(index) \(corpus[index].name): \(run.status.map(String.init(describing:)) ?? "no exit") \(run.stdout)\(run.stderr.prefix(200))") }
                        }
                    } catch {
                        problems.withLock { $0.append("#\(index) \(corpus[index].name): \(error)") }
                    }
                }
            }
            SoakReport.line("bad-routes.check", [
                "cases": corpus.count, "problems": problems.current.count,
                "seconds": String(format: "%.1f", SoakClock.now() - started),
            ])
            #expect(problems.current.isEmpty, "\(problems.current.count) files were not refused:\n\(problems.current.sorted().joined(separator: "\n"))")
        }

        @Test func runningDaemonRefusesEveryBadFileAndKeepsServing() throws {
            let corpus = RoutesCorpus.all()
            let workspace = try Workspace()
            defer { workspace.remove() }
            try workspace.writeRoutes(RoutesCorpus.base)
            let daemon = try DaemonProcess(workspace: workspace)
            let refusedBefore = daemon.log.count(containing: "Routes refused")
            let started = SoakClock.now()

            var problems: [String] = []
            for (index, bad) in corpus.enumerated() {
                try Self.install(bad.bytes, in: workspace)
                daemon.signal(SIGHUP)
                // One refusal per SIGHUP at least (the file watcher may add its own).
                if !daemon.log.waitForLine(containing: "Routes refused", count: refusedBefore + index + 1, timeout: 5) {
                    problems.append("#\(index) \(bad.name): no refusal logged")
                }
                let reply = VoiceConnection(port: daemon.port).call("bad-routes-\(index)", timeout: 5)
                if reply?.status != 200 || !RoutesCorpus.baseSales.contains(reply?.firstMember ?? "") {
                    problems.append("#\(index) \(bad.name): /voice answered \(reply?.status ?? 0) \(reply?.firstMember ?? "no member")")
                }
                if daemon.process.hasExited {
                    problems.append("#\(index) \(bad.name): the daemon exited")
                    break
                }
            }
            let reloaded = daemon.log.count(containing: "Routes reloaded")
            let failures = daemon.metric("switchboard_reloads_total{result=\"failure\"}")
            SoakReport.line("bad-routes.sighup", [
                "cases": corpus.count, "problems": problems.count, "refusals-logged": daemon.log.count(containing: "Routes refused") - refusedBefore,
                "reload-failures-metric": Int(failures), "seconds": String(format: "%.1f", SoakClock.now() - started),
            ])
            #expect(problems.isEmpty, "\(problems.count) cases went wrong:\n\(problems.joined(separator: "\n"))")
            #expect(reloaded == 0, "a bad file was applied:\n\(daemon.log.lines.filter { $0.contains("Routes reloaded") }.prefix(3))")
            #expect(failures >= Double(corpus.count))

            // The good file comes back: a reload is applied, so the refusals above were real.
            try Self.install(Array(RoutesCorpus.base.utf8), in: workspace)
            daemon.signal(SIGHUP)
            #expect(daemon.log.waitForLine(containing: "Routes reloaded", timeout: 5))
            #expect(daemon.servesVoice())
            #expect(daemon.stop() == .exited(0))
        }

        /// Replaces routes.json by rename with exactly these bytes (some are not UTF-8).
        static func install(_ bytes: [UInt8], in workspace: Workspace) throws {
            let temporary = workspace.path + "/.routes.json.tmp"
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, workspace.routesPath) == 0 else { throw E2EError("rename failed: errno \(errno)") }
        }
    }
}
