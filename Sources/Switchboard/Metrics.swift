import FoundationEssentials
import Platform
import Store
import Synchronization

/// Switchboard's Prometheus metrics, rendered for `GET /metrics` in the text exposition format 0.0.4.
///
/// A tiny registry without dependencies: every family is registered up front, each update takes one mutex
/// and finds its series by the label values joined into one key. Label values must come from bounded
/// sets (route patterns, pool and member names), never from raw request paths or caller numbers.
package final class Metrics: Sendable {
    /// The `Content-Type` of `render()`.
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    /// Upper bounds, in seconds, of the request latency histogram buckets (`+Inf` is implied).
    package static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    /// Every family and the readers of the gauges, reached only through the mutex.
    private struct Registry {
        var openConnectionsReader: (@Sendable () -> Int)?
        var storeHealthReader: (@Sendable () -> StoreHealth)?
        let requests = CounterFamily("switchboard_http_requests_total", "HTTP requests answered, by endpoint and status.", ["endpoint", "status"])
        let requestDuration = HistogramFamily("switchboard_http_request_duration_seconds", "Time from request parsed to response written, by endpoint.", ["endpoint"], latencyBuckets)
        let decisions = CounterFamily("switchboard_routing_decisions_total", "Routing decisions, by channel, pool and first member offered.", ["channel", "pool", "member"])
        let fallbacks = CounterFamily("switchboard_routing_fallbacks_total", "Routing decisions served without the database, by reason.", ["reason"])
        let apiCalls = CounterFamily("switchboard_signalwire_api_calls_total", "SignalWire REST API calls, by method and HTTP status (0 when no response).", ["method", "status"])
        let apiFailures = CounterFamily("switchboard_signalwire_api_failures_total", "SignalWire REST API operations that failed for good (after retries).", [])
        let reloads = CounterFamily("switchboard_reloads_total", "routes.json reloads, by result.", ["result"])
        let signatureFailures = CounterFamily("switchboard_signature_failures_total", "Webhooks whose SignalWire signature did not verify.", [])
        let statusCallbacks = CounterFamily("switchboard_status_callbacks_total", "Status callbacks received, by kind and outcome.", ["kind", "outcome"])
        let textKeywords = CounterFamily("switchboard_text_keywords_total", "Customers' STOP, START and HELP texts, and member replies not relayed because the customer opted out, by kind.", ["kind"])
        let callOutcomes = CounterFamily("switchboard_call_outcomes_total", "Calls settled, by pool and outcome (answered, voicemail, missed, closed, unrouted).", ["pool", "outcome"])
        let notifications = CounterFamily("switchboard_notifications_total", "Missed-call and voicemail notifications, by channel and result (sent, retry, failed).", ["channel", "result"])
        let storeErrors = CounterFamily("switchboard_store_errors_total", "Database errors, by operation.", ["operation"])
        let storeBatches = HistogramFamily("switchboard_store_batch_seconds", "Time a group-commit batch of decisions and callbacks took, from asking for the write lock to its commit.", [], latencyBuckets)
    }
    private let registry = Mutex(Registry())

    package init() {
        registry.withLock { registry in
            registry.apiFailures.add(.init(), 0)
            registry.signatureFailures.add(.init(), 0)
            registry.reloads.add(.init("success"), 0)
            registry.reloads.add(.init("failure"), 0)
        }
    }

    /// One HTTP request answered: `endpoint` is the route (`/voice`, or `other` for unknown paths).
    package func requestFinished(endpoint: String, status: Int, seconds: Double) {
        registry.withLock { r in
            r.requests.add(.init(endpoint, String(status)))
            r.requestDuration.observe(.init(endpoint), seconds)
        }
    }

    /// One routing decision: `channel` is `voice` or `sms`, `member` the first member offered.
    package func decision(channel: String, pool: String, member: String) {
        registry.withLock { r in r.decisions.add(.init(channel, pool, member)) }
    }

    /// One decision served without the database (for example `store_unavailable`).
    package func fallback(reason: String) {
        registry.withLock { r in r.fallbacks.add(.init(reason)) }
    }

    /// One SignalWire API request attempt: `method` is the HTTP method (`GET` lists, `PUT` updates),
    /// `status` the HTTP status, or nil when no response came back.
    package func signalWireCall(method: String, status: Int?) {
        registry.withLock { r in r.apiCalls.add(.init(method, String(status ?? 0))) }
    }

    /// One SignalWire operation given up on (retries exhausted, or an answer that cannot succeed).
    package func signalWireFailure() {
        registry.withLock { r in r.apiFailures.add(.init()) }
    }

    /// A routes.json reload (SIGHUP or file change) that was applied, or refused.
    package func reload(succeeded: Bool) {
        registry.withLock { r in r.reloads.add(.init(succeeded ? "success" : "failure")) }
    }

    /// A webhook refused (or, in log mode, logged) for a bad signature.
    package func signatureFailure() {
        registry.withLock { r in r.signatureFailures.add(.init()) }
    }

    /// A status callback: `kind` is `call`, `message` or `voicemail`; `outcome` e.g. `recorded`, `duplicate`.
    package func statusCallback(kind: String, outcome: String) {
        registry.withLock { r in r.statusCallbacks.add(.init(kind, outcome)) }
    }

    /// A keyword text (`opt_out`, `opt_in`, `help`) or a member reply held back (`blocked_reply`).
    package func textKeyword(_ kind: String) {
        registry.withLock { r in r.textKeywords.add(.init(kind)) }
    }

    /// A call whose outcome was stored for the first time.
    package func callSettled(pool: String, outcome: String) {
        registry.withLock { r in r.callOutcomes.add(.init(pool, outcome)) }
    }

    /// One notification delivery attempt: `result` is `sent`, `retry` or `failed` (given up).
    package func notification(channel: String, result: String) {
        registry.withLock { r in r.notifications.add(.init(channel, result)) }
    }

    /// A database error during `operation` (e.g. `record_decision`, `health`).
    package func storeError(operation: String) {
        registry.withLock { r in r.storeErrors.add(.init(operation)) }
    }

    /// One group-commit batch of the store, `seconds` from asking for the write lock to its commit.
    package func storeBatch(seconds: Double) {
        registry.withLock { r in r.storeBatches.observe(.init(), seconds) }
    }

    /// Where `switchboard_open_connections` comes from: read once per `render()`, outside the lock.
    package func setOpenConnections(_ reader: @escaping @Sendable () -> Int) {
        registry.withLock { r in r.openConnectionsReader = reader }
    }

    /// Where `switchboard_store_healthy` comes from: read once per `render()`, outside the lock.
    package func setStoreHealth(_ reader: @escaping @Sendable () -> StoreHealth) {
        registry.withLock { r in r.storeHealthReader = reader }
    }

    /// Every family in the text exposition format 0.0.4, series sorted by label values.
    package func render() -> String {
        let (reader, healthReader) = registry.withLock { r in (r.openConnectionsReader, r.storeHealthReader) }
        let openConnections = reader?() ?? 0
        let health = healthReader?() ?? .healthy
        var text = ""
        text.reserveCapacity(4096)
        registry.withLock { r in
            r.requests.render(into: &text)
            r.requestDuration.render(into: &text)
            r.decisions.render(into: &text)
            r.fallbacks.render(into: &text)
            r.apiCalls.render(into: &text)
            r.apiFailures.render(into: &text)
            Self.header("switchboard_open_connections", "HTTP connections open now.", "gauge", into: &text)
            text += "switchboard_open_connections \(openConnections)\n"
            r.reloads.render(into: &text)
            r.signatureFailures.render(into: &text)
            r.statusCallbacks.render(into: &text)
            r.textKeywords.render(into: &text)
            r.callOutcomes.render(into: &text)
            r.notifications.render(into: &text)
            r.storeErrors.render(into: &text)
            r.storeBatches.render(into: &text)
            Self.header("switchboard_store_healthy", "1 while the database takes writes; 0 while degraded (writes failing: calls are answered from the routes alone).", "gauge", into: &text)
            text += "switchboard_store_healthy \(health.isHealthy ? 1 : 0)\n"
            Self.header("switchboard_store_degraded_seconds", "How long the database has been degraded (0 while healthy).", "gauge", into: &text)
            text += "switchboard_store_degraded_seconds \(health.degradedSeconds(at: Date()))\n"
        }
        return text
    }
}

extension Metrics {
    /// The label values of one series, up to three, held inline: an update finds its series without
    /// building an array.
    struct LabelValues: Hashable {
        let count: Int
        let first: String, second: String, third: String

        init() { (count, first, second, third) = (0, "", "", "") }
        init(_ a: String) { (count, first, second, third) = (1, a, "", "") }
        init(_ a: String, _ b: String) { (count, first, second, third) = (2, a, b, "") }
        init(_ a: String, _ b: String, _ c: String) { (count, first, second, third) = (3, a, b, c) }

        var array: [String] { Array([first, second, third].prefix(count)) }

        /// Only the values in use: a family's series all have its number of labels, and hashing the
        /// empty ones cost as much as the rest of the lookup.
        func hash(into hasher: inout Hasher) {
            if count > 0 { hasher.combine(first) }
            if count > 1 { hasher.combine(second) }
            if count > 2 { hasher.combine(third) }
        }
    }

    /// A counter family; the registry's lock guards it.
    final class CounterFamily {
        struct Series {
            let labels: [String]
            var value: UInt64 = 0
        }

        let name: String
        let help: String
        let labelNames: [String]
        /// Keyed by the label values themselves: no joined string to build on every update.
        private var series: [LabelValues: Series] = [:]

        init(_ name: String, _ help: String, _ labelNames: [String]) {
            precondition(labelNames.count <= 3, "LabelValues holds three")
            self.name = name
            self.help = help
            self.labelNames = labelNames
        }

        func add(_ labels: LabelValues, _ amount: UInt64 = 1) {
            series[labels, default: Series(labels: labels.array)].value &+= amount
        }

        func render(into text: inout String) {
            Metrics.header(name, help, "counter", into: &text)
            for entry in series.values.sorted(by: { $0.labels.lexicographicallyPrecedes($1.labels) }) {
                text += name + Metrics.labelSet(labelNames, entry.labels) + " \(entry.value)\n"
            }
        }
    }

    /// A histogram family with fixed buckets; the registry's lock guards it.
    final class HistogramFamily {
        struct Series {
            let labels: [String]
            var counts: [UInt64]
            var sum: Double = 0
            var count: UInt64 = 0
        }

        let name: String
        let help: String
        let labelNames: [String]
        let buckets: [Double]
        /// Keyed by the label values themselves: no joined string to build on every update.
        private var series: [LabelValues: Series] = [:]

        init(_ name: String, _ help: String, _ labelNames: [String], _ buckets: [Double]) {
            precondition(labelNames.count <= 3, "LabelValues holds three")
            self.name = name
            self.help = help
            self.labelNames = labelNames
            self.buckets = buckets
        }

        func observe(_ labels: LabelValues, _ value: Double) {
            let bucket = buckets.firstIndex { value <= $0 }
            let bucketCount = buckets.count
            series[labels, default: Series(labels: labels.array, counts: Array(repeating: 0, count: bucketCount))]
                .record(value, bucket: bucket)
        }

        func render(into text: inout String) {
            Metrics.header(name, help, "histogram", into: &text)
            for entry in series.values.sorted(by: { $0.labels.lexicographicallyPrecedes($1.labels) }) {
                var cumulative: UInt64 = 0
                for (index, bound) in buckets.enumerated() {
                    cumulative += entry.counts[index]
                    let labels = Metrics.labelSet(labelNames + ["le"], entry.labels + [Metrics.format(bound)])
                    text += name + "_bucket" + labels + " \(cumulative)\n"
                }
                text += name + "_bucket" + Metrics.labelSet(labelNames + ["le"], entry.labels + ["+Inf"]) + " \(entry.count)\n"
                let labels = Metrics.labelSet(labelNames, entry.labels)
                text += name + "_sum" + labels + " " + Metrics.format(entry.sum) + "\n"
                text += name + "_count" + labels + " \(entry.count)\n"
            }
        }
    }

    static func header(_ name: String, _ help: String, _ type: String, into text: inout String) {
        let escapedHelp = help.replacingAll("\\", with: "\\\\").replacingAll("\n", with: "\\n")
        text += "# HELP \(name) \(escapedHelp)\n# TYPE \(name) \(type)\n"
    }

    /// `{a="x",b="y"}` with values escaped (`\\`, `\"`, `\n`), or nothing without labels.
    static func labelSet(_ names: [String], _ values: [String]) -> String {
        guard !names.isEmpty else { return "" }
        let pairs = zip(names, values).map { name, value in
            let escaped = value.replacingAll("\\", with: "\\\\")
                .replacingAll("\"", with: "\\\"")
                .replacingAll("\n", with: "\\n")
            return "\(name)=\"\(escaped)\""
        }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    /// Prometheus numbers: integers without a fraction, `+Inf`, `-Inf`, `NaN`, else Swift's shortest form.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

extension Metrics.HistogramFamily.Series {
    mutating func record(_ value: Double, bucket: Int?) {
        if let bucket { counts[bucket] += 1 }
        sum += value
        count += 1
    }
}
