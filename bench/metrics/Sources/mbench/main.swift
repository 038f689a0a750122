import CoreMetrics
import Foundation
import Prometheus

// What one /voice request records: the request counter and latency histogram by endpoint, and the
// decision counter by channel, pool and member. `mbench ours|prometheus|metrics N`.
let args = CommandLine.arguments
let which = args[1]
let n = Int(args[2])!
let members = ["+15551111111", "+15551111112", "+15551111113"]
let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
switch which {
case "ours":
    let metrics = Metrics()
    for i in 0..<n {
        metrics.requestFinished(endpoint: "/voice", status: 200, seconds: 0.0007)
        metrics.decision(channel: "voice", pool: "sales", member: members[i % 3])
    }
    print(metrics.render().count)
case "prometheus":
    // The library's own API, a lookup by name and labels per update (labels are dynamic).
    let registry = PrometheusCollectorRegistry()
    for i in 0..<n {
        registry.makeCounter(name: "switchboard_http_requests_total", labels: [("endpoint", "/voice"), ("status", "200")]).increment()
        registry.makeValueHistogram(name: "switchboard_http_request_duration_seconds", labels: [("endpoint", "/voice")], buckets: buckets).record(0.0007)
        registry.makeCounter(name: "switchboard_routing_decisions_total", labels: [("channel", "voice"), ("pool", "sales"), ("member", members[i % 3])]).increment()
    }
    var out: [UInt8] = []
    registry.emit(into: &out)
    print(out.count)
case "metrics":
    // Through swift-metrics' API, as the issue proposes, with the Prometheus factory behind it.
    let registry = PrometheusCollectorRegistry()
    var factory = PrometheusMetricsFactory(registry: registry)
    factory.defaultValueHistogramBuckets = buckets
    MetricsSystem.bootstrap(factory)
    for i in 0..<n {
        CoreMetrics.Counter(label: "switchboard_http_requests_total", dimensions: [("endpoint", "/voice"), ("status", "200")]).increment()
        CoreMetrics.Recorder(label: "switchboard_http_request_duration_seconds", dimensions: [("endpoint", "/voice")], aggregate: true).record(0.0007)
        CoreMetrics.Counter(label: "switchboard_routing_decisions_total", dimensions: [("channel", "voice"), ("pool", "sales"), ("member", members[i % 3])]).increment()
    }
    var out: [UInt8] = []
    registry.emit(into: &out)
    print(out.count)
default: fatalError()
}
