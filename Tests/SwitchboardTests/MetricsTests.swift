import Foundation
import Testing
@testable import Switchboard

@Suite struct MetricsTests {
    @Test func emptyRegistryRendersEveryFamily() {
        let text = Metrics().render()
        for family in [
            "switchboard_http_requests_total counter", "switchboard_http_request_duration_seconds histogram",
            "switchboard_routing_decisions_total counter", "switchboard_routing_fallbacks_total counter",
            "switchboard_signalwire_api_calls_total counter", "switchboard_signalwire_api_failures_total counter",
            "switchboard_open_connections gauge", "switchboard_reloads_total counter",
            "switchboard_signature_failures_total counter", "switchboard_status_callbacks_total counter",
            "switchboard_store_errors_total counter",
        ] {
            #expect(text.contains("# TYPE \(family)\n"), "\(family)")
        }
        #expect(lines(text).contains("switchboard_open_connections 0"))
        #expect(lines(text).contains("switchboard_signalwire_api_failures_total 0"))
        #expect(lines(text).contains("switchboard_signature_failures_total 0"))
        #expect(lines(text).contains(#"switchboard_reloads_total{result="success"} 0"#))
        #expect(lines(text).contains(#"switchboard_reloads_total{result="failure"} 0"#))
        expectWellFormed(text)
    }

    @Test func countsRequestsAndFillsCumulativeBuckets() {
        let metrics = Metrics()
        metrics.requestFinished(endpoint: "/voice", status: 200, seconds: 0.003)
        metrics.requestFinished(endpoint: "/voice", status: 200, seconds: 0.2)
        metrics.requestFinished(endpoint: "/voice", status: 403, seconds: 5)
        metrics.requestFinished(endpoint: "/sms", status: 200, seconds: 0.001)
        let rendered = lines(metrics.render())

        #expect(rendered.contains(#"switchboard_http_requests_total{endpoint="/voice",status="200"} 2"#))
        #expect(rendered.contains(#"switchboard_http_requests_total{endpoint="/voice",status="403"} 1"#))
        #expect(rendered.contains(#"switchboard_http_requests_total{endpoint="/sms",status="200"} 1"#))
        let expected: [(String, Int)] = [
            ("0.0005", 0), ("0.001", 0), ("0.0025", 0), ("0.005", 1), ("0.01", 1), ("0.025", 1), ("0.05", 1),
            ("0.1", 1), ("0.25", 2), ("0.5", 2), ("1", 2), ("2.5", 2), ("+Inf", 3),
        ]
        let voiceBuckets = rendered.filter { $0.hasPrefix(#"switchboard_http_request_duration_seconds_bucket{endpoint="/voice","#) }
        #expect(voiceBuckets == expected.map { #"switchboard_http_request_duration_seconds_bucket{endpoint="/voice",le="\#($0.0)"} \#($0.1)"# })
        #expect(rendered.contains(#"switchboard_http_request_duration_seconds_bucket{endpoint="/sms",le="0.001"} 1"#))
        #expect(rendered.contains(#"switchboard_http_request_duration_seconds_count{endpoint="/voice"} 3"#))
        let sum = rendered.first { $0.hasPrefix(#"switchboard_http_request_duration_seconds_sum{endpoint="/voice"} "#) }
        let sumValue = sum.flatMap { Double($0.split(separator: " ").last!) }
        #expect(sumValue.map { abs($0 - 5.203) < 1e-9 } == true)
    }

    @Test func countsEveryOtherFamily() {
        let metrics = Metrics()
        metrics.decision(channel: "voice", pool: "sales", member: "+15551111111")
        metrics.decision(channel: "voice", pool: "sales", member: "+15551111111")
        metrics.decision(channel: "sms", pool: "support", member: "sip:bob@example.sip.signalwire.com")
        metrics.fallback(reason: "store_unavailable")
        metrics.signalWireCall(method: "update_number", status: 200)
        metrics.signalWireCall(method: "list_numbers", status: nil)
        metrics.signalWireFailure()
        metrics.reload(succeeded: true)
        metrics.reload(succeeded: false)
        metrics.reload(succeeded: false)
        metrics.signatureFailure()
        metrics.statusCallback(kind: "call", outcome: "recorded")
        metrics.storeError(operation: "record_decision")
        metrics.setOpenConnections { 7 }
        let text = metrics.render()
        let rendered = lines(text)

        #expect(rendered.contains(#"switchboard_routing_decisions_total{channel="voice",pool="sales",member="+15551111111"} 2"#))
        #expect(rendered.contains(#"switchboard_routing_decisions_total{channel="sms",pool="support",member="sip:bob@example.sip.signalwire.com"} 1"#))
        #expect(rendered.contains(#"switchboard_routing_fallbacks_total{reason="store_unavailable"} 1"#))
        #expect(rendered.contains(#"switchboard_signalwire_api_calls_total{method="update_number",status="200"} 1"#))
        #expect(rendered.contains(#"switchboard_signalwire_api_calls_total{method="list_numbers",status="0"} 1"#))
        #expect(rendered.contains("switchboard_signalwire_api_failures_total 1"))
        #expect(rendered.contains(#"switchboard_reloads_total{result="success"} 1"#))
        #expect(rendered.contains(#"switchboard_reloads_total{result="failure"} 2"#))
        #expect(rendered.contains("switchboard_signature_failures_total 1"))
        #expect(rendered.contains(#"switchboard_status_callbacks_total{kind="call",outcome="recorded"} 1"#))
        #expect(rendered.contains(#"switchboard_store_errors_total{operation="record_decision"} 1"#))
        #expect(rendered.contains("switchboard_open_connections 7"))
        expectWellFormed(text)
    }

    @Test func escapesLabelValues() {
        let metrics = Metrics()
        metrics.decision(channel: "voice", pool: "a\"b\\c\nd", member: "x")
        #expect(lines(metrics.render()).contains(#"switchboard_routing_decisions_total{channel="voice",pool="a\"b\\c\nd",member="x"} 1"#))
    }

    @Test func formatsNumbersAsPrometheusReadsThem() {
        #expect(Metrics.format(1) == "1")
        #expect(Metrics.format(2.5) == "2.5")
        #expect(Metrics.format(0.0005) == "0.0005")
        #expect(Metrics.format(.infinity) == "+Inf")
        #expect(Metrics.format(-.infinity) == "-Inf")
        #expect(Metrics.format(.nan) == "NaN")
    }

    @Test func concurrentUpdatesAreAllCounted() {
        let metrics = Metrics()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for index in 0..<1000 {
                metrics.requestFinished(endpoint: "/voice", status: 200, seconds: Double(index % 10) / 1000)
                metrics.decision(channel: "voice", pool: "sales", member: "m\(worker % 2)")
                if index % 100 == 0 { _ = metrics.render() }
            }
        }
        let rendered = lines(metrics.render())
        #expect(rendered.contains(#"switchboard_http_requests_total{endpoint="/voice",status="200"} 8000"#))
        #expect(rendered.contains(#"switchboard_http_request_duration_seconds_count{endpoint="/voice"} 8000"#))
        #expect(rendered.contains(#"switchboard_routing_decisions_total{channel="voice",pool="sales",member="m0"} 4000"#))
        #expect(rendered.contains(#"switchboard_routing_decisions_total{channel="voice",pool="sales",member="m1"} 4000"#))
    }

    private func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }

    /// Every sample line is `name{labels} value` after a `# TYPE` for its family, and the text ends in `\n`.
    private func expectWellFormed(_ text: String) {
        #expect(text.hasSuffix("\n"))
        var family = ""
        for line in lines(text) {
            if line.hasPrefix("# TYPE ") {
                family = String(line.split(separator: " ")[2])
                continue
            }
            if line.hasPrefix("# HELP ") { continue }
            let name = line.prefix { $0 != "{" && $0 != " " }
            #expect(name == family || name == family + "_bucket" || name == family + "_sum" || name == family + "_count", "\(line)")
            let value = line.split(separator: " ").last.map(String.init) ?? ""
            #expect(Double(value) != nil || value == "+Inf", "\(line)")
        }
    }
}
