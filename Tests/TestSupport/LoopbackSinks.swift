import Foundation

/// A small Python 3 server (standard library only) on 127.0.0.1 and a port of its choosing, which it
/// writes to `RECORD.port`; it records what it receives as JSON lines in a file, and exits by itself after
/// `lifetime` seconds should the test not stop it.
package class LoopbackPythonServer: @unchecked Sendable {
    package let port: Int
    let process: Process
    let recordPath: String

    init(script: String, arguments: [String], lifetime: Int = 300) throws {
        recordPath = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString).jsonl").path
        _ = FileManager.default.createFile(atPath: recordPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-u", "-c", script, recordPath, String(lifetime)] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // It writes its port to RECORD.port once listening.
        let portPath = recordPath + ".port"
        let deadline = Date().addingTimeInterval(10)
        var port: Int?
        while Date() < deadline, port == nil, process.isRunning {
            port = (try? String(contentsOfFile: portPath, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if port == nil { usleep(20_000) }
        }
        try? FileManager.default.removeItem(atPath: portPath)
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            throw SinkError("the python server did not say its port")
        }
        self.port = port
    }

    deinit { shutdown() }

    package func shutdown() {
        if process.isRunning {
            // SIGKILL: a child can inherit a signal mask that blocks SIGTERM from the test runner.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: recordPath)
    }

    /// Every record so far, as JSON objects.
    func records() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: recordPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    /// Polls until `count` records exist (bounded by `timeout` seconds).
    package func wait(for count: Int, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if records().count >= count { return true }
            usleep(50_000)
        } while Date() < deadline
        return records().count >= count
    }
}

/// The end of each script: the port written where the Swift side looks, a bounded life, then serving.
private let serve = """

with open(record + ".port.tmp", "w") as out:
    out.write(str(server.server_address[1]))
os.rename(record + ".port.tmp", record + ".port")
timer = threading.Timer(lifetime, server.shutdown)
timer.daemon = True
timer.start()
server.serve_forever()
"""

package struct SinkError: Error, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}

/// An SMTP server that accepts every mail (ESMTP with AUTH PLAIN and LOGIN, which it records), for
/// `CurlClient.sendMail` and the notifier. `refuseFirst` connections get `421` and are closed;
/// recipients in `reject` get `550`.
package final class SMTPSink: LoopbackPythonServer, @unchecked Sendable {
    package struct Mail: Sendable, CustomStringConvertible {
        package var from: String
        package var recipients: [String]
        /// The message as received, dot-unstuffed, CRLF line endings.
        package var data: String
        package var user: String?
        package var password: String?
        package var description: String { "mail from \(from) to \(recipients): \(data.prefix(200))" }
    }

    package init(refuseFirst: Int = 0, reject: [String] = []) throws {
        try super.init(script: Self.script, arguments: [String(refuseFirst), reject.joined(separator: ",")])
    }

    package var mails: [Mail] {
        records().map {
            Mail(from: $0["from"] as? String ?? "", recipients: $0["to"] as? [String] ?? [], data: $0["data"] as? String ?? "",
                 user: $0["user"] as? String, password: $0["password"] as? String)
        }
    }

    static let script = #"""
import base64, json, os, socketserver, sys, threading
record, lifetime, refuse, reject = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), set(filter(None, sys.argv[4].split(",")))
lock = threading.Lock()
state = {"connections": 0}

class Handler(socketserver.StreamRequestHandler):
    def send(self, line):
        self.wfile.write((line + "\r\n").encode())
    def line(self):
        raw = self.rfile.readline(65536)
        if not raw:
            raise EOFError
        return raw.decode("utf-8", "replace").rstrip("\r\n")
    def handle(self):
        with lock:
            state["connections"] += 1
            refused = state["connections"] <= refuse
        if refused:
            self.send("421 4.3.2 try again later")
            return
        self.send("220 sink.test ESMTP")
        sender, recipients, user, password = None, [], None, None
        try:
            while True:
                command = self.line()
                verb = command.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    self.send("250-sink.test"); self.send("250-AUTH PLAIN LOGIN"); self.send("250 8BITMIME")
                elif verb == "HELO":
                    self.send("250 sink.test")
                elif verb == "AUTH":
                    parts = command.split(" ")
                    if parts[1].upper() == "PLAIN":
                        blob = parts[2] if len(parts) > 2 else (self.send("334 "), self.line())[1]
                        _, user, password = base64.b64decode(blob).decode().split("\0")
                    else:
                        self.send("334 VXNlcm5hbWU6"); user = base64.b64decode(self.line()).decode()
                        self.send("334 UGFzc3dvcmQ6"); password = base64.b64decode(self.line()).decode()
                    self.send("235 2.7.0 accepted")
                elif verb == "MAIL":
                    sender = command.split(":", 1)[1].strip().split(" ")[0].strip("<>"); recipients = []
                    self.send("250 2.1.0 ok")
                elif verb == "RCPT":
                    address = command.split(":", 1)[1].strip().split(" ")[0].strip("<>")
                    if address in reject:
                        self.send("550 5.1.1 no such user")
                    else:
                        recipients.append(address); self.send("250 2.1.5 ok")
                elif verb == "DATA":
                    self.send("354 go ahead")
                    lines = []
                    while True:
                        text = self.line()
                        if text == ".":
                            break
                        lines.append(text[1:] if text.startswith("..") else text)
                    with lock, open(record, "a") as out:
                        out.write(json.dumps({"from": sender, "to": recipients, "data": "\r\n".join(lines) + "\r\n",
                                              "user": user, "password": password}) + "\n")
                    self.send("250 2.0.0 queued")
                elif verb == "RSET":
                    sender, recipients = None, []; self.send("250 ok")
                elif verb == "NOOP":
                    self.send("250 ok")
                elif verb == "QUIT":
                    self.send("221 bye"); return
                else:
                    self.send("502 5.5.2 not implemented")
        except (EOFError, ConnectionError, ValueError):
            return

class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

server = Server(("127.0.0.1", 0), Handler)
"""# + serve
}

/// An HTTP server that records every request (webhook notifications) and answers 200, or 500 to the
/// first `failFirst` requests.
package final class WebhookReceiver: LoopbackPythonServer, @unchecked Sendable {
    package struct Request: Sendable {
        package var method: String
        package var path: String
        package var headers: [String: String]
        package var body: String
        /// What the receiver answered.
        package var status: Int

        package func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    package init(failFirst: Int = 0) throws {
        try super.init(script: Self.script, arguments: [String(failFirst)])
    }

    package var requests: [Request] {
        records().map {
            Request(method: $0["method"] as? String ?? "", path: $0["path"] as? String ?? "", headers: $0["headers"] as? [String: String] ?? [:],
                    body: $0["body"] as? String ?? "", status: $0["status"] as? Int ?? 0)
        }
    }

    static let script = #"""
import http.server, json, os, sys, threading
record, lifetime, fail = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lock = threading.Lock()
state = {"count": 0}

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        with lock:
            state["count"] += 1
            status = 500 if state["count"] <= fail else 200
            with open(record, "a") as out:
                out.write(json.dumps({"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                                      "body": body, "status": status}) + "\n")
        reply = b"ok" if status == 200 else b"failing on purpose"
        self.send_response(status)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    do_POST = answer
    do_GET = answer

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
"""# + serve
}
