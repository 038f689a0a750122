import Foundation
import TestSupport

/// routes.json documents and webhook requests shared by the end-to-end suites, and readers for
/// the SWML and cXML the daemon answers with.
enum Fixture {
    static let salesNumber = "+15550000001"
    static let supportNumber = "+15550000002"
    static let sales = ["+15551111111", "+15551111112", "+15551111113"]
    static let support = ["+15552222221", "+15552222222"]

    /// A round-robin `sales` pool behind +15550000001 and a `support` pool behind +15550000002.
    static func routes(sales: [String] = sales, support: [String] = support, extraNumbers: [String: String] = [:]) -> String {
        func list(_ members: [String]) -> String { "[" + members.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        var numbers = [
            "    \"\(salesNumber)\": { \"voice\": \"sales\", \"sms\": \"sales\" }",
            "    \"\(supportNumber)\": { \"voice\": \"support\", \"sms\": \"support\" }",
        ]
        for (number, route) in extraNumbers.sorted(by: { $0.key < $1.key }) { numbers.append("    \"\(number)\": \(route)") }
        return """
        {
          "numbers": {
        \(numbers.joined(separator: ",\n"))
          },
          "pools": {
            "sales": { "members": \(list(sales)), "strategy": "round_robin", "ring_timeout": 20 },
            "support": { "members": \(list(support)) }
          }
        }

        """
    }

    /// SignalWire's SWML request (signalwire.md "Voice: the SWML request").
    static func voiceBody(callID: String, from: String = "+12135877632", to: String = salesNumber) -> String {
        """
        {"call":{"call_id":"\(callID)","node_id":"fa3570ae-f8bd-42c2-83f4-9950d906c91b@us-west","segment_id":"\(callID)",\
        "call_state":"created","direction":"inbound","type":"phone","from":"\(from)","to":"\(to)","from_number":"\(from)",\
        "to_number":"\(to)","headers":[],"project_id":"4b7ae78a-d02e-4889-a63b-08b156d5916e",\
        "space_id":"62615f44-2a34-4235-b38b-76b5a1de6ef8"},"vars":{},"envs":{},"params":{}}
        """
    }

    static let jsonHeaders = [("Content-Type", "application/json")]
    static let formHeaders = [("Content-Type", "application/x-www-form-urlencoded")]

    /// The cXML messaging webhook's fields.
    static func smsFields(sid: String, from: String = "+12135550100", to: String = supportNumber, body: String = "Hello there") -> [(String, String)] {
        [("MessageSid", sid), ("AccountSid", "b1a7c4de"), ("From", from), ("To", to), ("Body", body), ("NumMedia", "0")]
    }
}

/// Reads what the daemon answered.
enum Answer {
    /// The SWML document's `sections.main`.
    static func swmlMain(_ body: String) -> [[String: Any]]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let sections = object["sections"] as? [String: Any] else { return nil }
        return sections["main"] as? [[String: Any]]
    }

    /// The `to` of every target of the first `connect` (serial or parallel), in order.
    static func connectTargets(_ body: String) -> [String] {
        guard let main = swmlMain(body),
              let connect = main.lazy.compactMap({ $0["connect"] as? [String: Any] }).first else { return [] }
        let targets = (connect["serial"] ?? connect["parallel"]) as? [[String: Any]] ?? []
        return targets.compactMap { $0["to"] as? String }
    }

    /// The member rung first: `connect.serial[0].to`.
    static func firstMember(_ body: String) -> String? {
        connectTargets(body).first
    }

    /// The `to` attribute of every `<Message>` in a cXML answer.
    static func messageRecipients(_ xml: String) -> [String] {
        xml.components(separatedBy: "<Message ").dropFirst().compactMap { element in
            guard let start = element.range(of: "to=\"") else { return nil }
            let rest = element[start.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
    }

    /// The value of a Prometheus series, e.g. `switchboard_http_requests_total{endpoint="/voice",status="200"}`.
    static func metric(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }
}
