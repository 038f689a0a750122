import Foundation
import TestSupport

/// Many keep-alive connections posting `/voice` with unique call ids, spread over one or more daemons.
struct SoakLoad {
    /// Daemon ports; connection `c` talks to `ports[c % ports.count]`.
    var ports: [Int]
    var requests: Int
    var connections: Int
    /// Prefix of the call ids (`<prefix>-<n>`), unique per run.
    var prefix = "soak-\(UUID().uuidString.prefix(8))"
    /// The whole run stops after this many seconds, whatever is left.
    var deadline: Double = 120

    struct Result {
        var answered = 0
        /// Requests that got no response, or a status other than 200, or an SWML without a member.
        var failures: [String] = []
        var firstMembers: [String: Int] = [:]
        var answeredIDs: [String] = []
        var latencies = Latencies()
        var seconds: Double = 0

        var requestsPerSecond: Double { seconds > 0 ? Double(answered) / seconds : 0 }
    }

    /// Runs to the end (or the deadline); never throws, failures are in the result.
    func run() -> Result {
        let shared = Locked(Result())
        let started = SoakClock.now()
        let end = started + deadline
        let (requests, connections, ports, prefix) = (self.requests, self.connections, self.ports, self.prefix)
        let finished = runThreads(connections, timeout: deadline + 10) { worker in
            let connection = VoiceConnection(port: ports[worker % ports.count])
            var local = Result()
            var index = worker
            while index < requests, SoakClock.now() < end {
                let id = "\(prefix)-\(index)"
                if let reply = connection.call(id), reply.status == 200, let member = reply.firstMember {
                    local.answered += 1
                    local.firstMembers[member, default: 0] += 1
                    local.answeredIDs.append(id)
                    local.latencies.add(reply.seconds)
                } else {
                    local.failures.append(id)
                }
                index += connections
            }
            connection.close()
            shared.withLock { total in
                total.answered += local.answered
                total.failures += local.failures
                total.answeredIDs += local.answeredIDs
                total.latencies.add(contentsOf: local.latencies.samples)
                for (member, count) in local.firstMembers { total.firstMembers[member, default: 0] += count }
            }
        }
        var result = shared.current
        result.seconds = SoakClock.now() - started
        if !finished { result.failures.append("the load did not finish within \(deadline + 10) s") }
        return result
    }
}
