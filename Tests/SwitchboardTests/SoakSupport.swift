import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The fault and bad-input suites of issue 6 against the built `switchboard` binary. Serialized:
/// their latency and file-descriptor figures mean nothing when they share the machine with each other.
/// `SWITCHBOARD_SOAK=full` (`make soak`) uses the sizes; the default is the short version that
/// `make test` runs.
@Suite(.serialized) struct Soak {}

/// How big a soak run is.
enum SoakScale {
    static let isFull = ProcessInfo.processInfo.environment["SWITCHBOARD_SOAK"]?.lowercased() == "full"
    static var name: String { isFull ? "full" : "short" }
    /// `SWITCHBOARD_SOAK_VERBOSE=1`: print every corpus case's outcome.
    static let isVerbose = ProcessInfo.processInfo.environment["SWITCHBOARD_SOAK_VERBOSE"] == "1"

    static func pick<T>(short: T, full: T) -> T { isFull ? full : short }
}

/// Figures printed for `make soak` (and `scripts/soak.sh`, which collects lines starting with `[soak]`).
enum SoakReport {
    static func line(_ test: String, _ fields: KeyValuePairs<String, Any>) {
        let text = fields.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        print("[soak] \(test) (\(SoakScale.name)): \(text)")
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.2fms", seconds * 1000) }
}

/// Latency samples in seconds.
struct Latencies {
    private(set) var samples: [Double] = []

    mutating func add(_ seconds: Double) { samples.append(seconds) }
    mutating func add(contentsOf other: [Double]) { samples += other }

    var count: Int { samples.count }

    /// The smallest sample at or above fraction `p` of the sorted samples (nearest rank); 0 when empty.
    func percentile(_ p: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        let rank = Swift.max(1, Int((p * Double(sorted.count)).rounded(.up)))
        return sorted[min(rank, sorted.count) - 1]
    }

    var max: Double { samples.max() ?? 0 }
}

enum SoakClock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Process-level facts the suites measure.
enum ProcessFacts {
    /// Open file descriptors of `pid` (`/proc/PID/fd`).
    static func openFDs(_ pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// The sockets among them: what connections hold, without the database files a store opens
    /// when it needs another reader.
    static func openSockets(_ pid: pid_t) -> Int {
        guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return -1 }
        return fds.filter { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"))?.hasPrefix("socket:") == true
        }.count
    }

    /// Raises this process's soft RLIMIT_NOFILE to the hard limit (children inherit it) and returns it.
    @discardableResult
    static func raiseFileLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return UInt64(limit.rlim_cur)
    }
}

/// One keep-alive connection posting SignalWire's SWML request to `/voice`.
final class VoiceConnection {
    let port: Int
    private var client: TestClient?

    init(port: Int) { self.port = port }

    struct Reply {
        var status: Int
        var firstMember: String?
        var targets: [String]
        var body: String
        var seconds: Double
    }

    /// One call; nil when the connection failed (it is reopened on the next call).
    func call(_ callID: String, to: String = Fixture.salesNumber, timeout: Double = 10) -> Reply? {
        if client == nil { client = try? TestClient(port: port, timeout: timeout) }
        guard let client else { return nil }
        let started = SoakClock.now()
        client.send(HTTP.raw("POST", "/voice", headers: Fixture.jsonHeaders, body: Fixture.voiceBody(callID: callID, to: to)))
        guard let response = client.readResponse() else {
            self.client = nil
            return nil
        }
        let seconds = SoakClock.now() - started
        if response.headers["connection"]?.lowercased() == "close" { self.client = nil }
        let targets = SwitchboardTests.Answer.connectTargets(response.body)
        return Reply(status: response.status, firstMember: targets.first, targets: targets, body: response.body, seconds: seconds)
    }

    func close() { client = nil }
}

extension DaemonProcess {
    /// `GET /metrics` as text ("" when it fails).
    func metricsText() -> String {
        (try? request("GET", "/metrics"))?.body ?? ""
    }

    /// One series of `/metrics`, 0 when absent.
    func metric(_ series: String) -> Double {
        Answer.metric(metricsText(), series) ?? 0
    }

    /// Whether the process still runs and answers a normal `/voice` with a routed SWML.
    func servesVoice(callID: String = "alive-\(UUID().uuidString)") -> Bool {
        guard !process.hasExited, let answer = VoiceConnection(port: port).call(callID, timeout: 5) else { return false }
        return answer.status == 200 && !answer.targets.isEmpty
    }
}

/// The sales pool's members, in order.
let salesMembers = Fixture.sales

/// How many times each member was offered first, and whether they differ by at most one.
func evenness(_ counts: [String: Int], members: [String]) -> (spread: Int, summary: String) {
    let values = members.map { counts[$0] ?? 0 }
    let spread = (values.max() ?? 0) - (values.min() ?? 0)
    return (spread, zip(members, values).map { "\($0.0.suffix(4)):\($0.1)" }.joined(separator: ","))
}
