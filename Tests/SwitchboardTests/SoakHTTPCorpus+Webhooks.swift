import Foundation

/// The corpus cases aimed at the endpoints: wrong methods and paths, and webhook bodies that are not webhooks.
extension BadRequestCorpus {
    static func methodsAndPaths() -> [BadRequest] {
        var cases: [BadRequest] = []
        for path in webhooks {
            for method in ["PUT", "DELETE", "PATCH"] {
                cases.append(BadRequest("\(method) \(path)", request(method, path, headers: ["Content-Type: application/json"], body: "{}"), [405]))
            }
        }
        for (method, path) in [("POST", "/healthz"), ("DELETE", "/metrics"), ("BREW", "/voice"), ("OPTIONS", "/voice"), ("TRACE", "/voice")] {
            cases.append(BadRequest("\(method) \(path)", request(method, path, headers: ["Connection: close"]), [405, 501]))
        }
        for path in ["/", "/voice/", "/VOICE", "/voice.json", "/sms/extra", "/adminx", "/admin/app.js", "/../../etc/passwd", "/%00", "/index.html", "*"] {
            cases.append(BadRequest("GET \(path)", request("GET", path), [400, 404]))
        }
        // The admin API is off without a token: it must not answer.
        cases.append(BadRequest("admin pools without a token", request("GET", "/admin/pools"), [401, 403, 404]))
        cases.append(BadRequest("admin overview without a token", request("GET", "/admin/overview"), [401, 403, 404]))
        cases.append(BadRequest("a pause without a token", request("POST", "/admin/pools/sales/members/%2B15551111111/pause"), [401, 403, 404]))
        cases.append(BadRequest("admin calls with a made-up token", request("GET", "/admin/calls", headers: ["Authorization: Bearer guess"]), [401, 403, 404]))
        return cases
    }

    /// Bodies that are not a webhook: wrong content types, broken JSON or forms, fields missing.
    static func bodies() -> [BadRequest] {
        let json = "Content-Type: application/json"
        let form = "Content-Type: application/x-www-form-urlencoded"
        var cases: [BadRequest] = []
        let brokenJSON = ["{", "{\"call\":", "[1, 2]", "null", "\"call\"", "{\"call\": {\"to\": }}", "\u{FF}\u{FE}{}",
                          "{\"a\":" + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "}"]
        for path in webhooks {
            for (index, body) in brokenJSON.enumerated() {
                cases.append(BadRequest("\(path) broken JSON #\(index)", request("POST", path, headers: [json], body: body), [400, 415]))
            }
            cases.append(BadRequest("\(path) XML body", request("POST", path, headers: ["Content-Type: application/xml"], body: "<To>+15550000001</To>"), [400, 415]))
            cases.append(BadRequest("\(path) text body", request("POST", path, headers: ["Content-Type: text/plain"], body: "call me"), [400, 415]))
            cases.append(BadRequest("\(path) empty form", request("POST", path, headers: [form], body: "&&&=="), [400]))
            cases.append(BadRequest("\(path) no body", request("POST", path, headers: [form]), [400]))
        }
        // Objects that parse but lack what each webhook needs.
        cases += [
            BadRequest("/voice JSON without call.to", request("POST", "/voice", headers: [json], body: #"{"call":{"call_id":"c1","from":"+12135877632"}}"#), [400]),
            BadRequest("/voice call is a string", request("POST", "/voice", headers: [json], body: #"{"call":"+15550000001"}"#), [400]),
            BadRequest("/voice form without To", request("POST", "/voice", headers: [form], body: "From=%2B12135877632&CallSid=CA1"), [400]),
            BadRequest("/voice GET without To", request("GET", "/voice?From=%2B12135877632"), [400]),
            BadRequest("/sms form without From", request("POST", "/sms", headers: [form], body: "To=%2B15550000001&Body=hi"), [400]),
            BadRequest("/sms form without To", request("POST", "/sms", headers: [form], body: "From=%2B12135877632&Body=hi"), [400]),
            BadRequest("/sms JSON", request("POST", "/sms", headers: [json], body: #"{"To":"+15550000001","From":"+12135877632"}"#), [400, 415]),
            BadRequest("/status/call JSON without call_state", request("POST", "/status/call", headers: [json], body: #"{"params":{"call_id":"c1"}}"#), [400]),
            BadRequest("/status/call form without CallStatus", request("POST", "/status/call", headers: [form], body: "CallSid=CA1"), [400]),
            BadRequest("/status/call form without CallSid", request("POST", "/status/call", headers: [form], body: "CallStatus=completed"), [400]),
            BadRequest("/status/message without MessageStatus", request("POST", "/status/message", headers: [form], body: "MessageSid=SM1"), [400]),
            BadRequest("/status/message without MessageSid", request("POST", "/status/message", headers: [form], body: "MessageStatus=sent"), [400]),
            BadRequest("/voicemail JSON without call_id", request("POST", "/voicemail", headers: [json], body: #"{"params":{"url":"https://x/r.mp3"}}"#), [400]),
            BadRequest("/voicemail form without CallSid", request("POST", "/voicemail", headers: [form], body: "RecordingUrl=https%3A%2F%2Fx%2Fr.mp3"), [400]),
        ]
        return cases
    }
}
