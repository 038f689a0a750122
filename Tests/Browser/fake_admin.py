#!/usr/bin/python3
"""A stand-in for the daemon's admin side, to try the operator page and its browser driver alone.

Serves the page's HTML (read from Sources/Switchboard/OperatorPage.swift, between its #\"\"\" and
\"\"\"# delimiters) at /admin/ with the daemon's Content-Security-Policy, and implements in memory
what the page reads: GET /admin/overview and POST /admin/pools/{pool}/members/{member}/pause|resume,
all behind `Authorization: Bearer TOKEN` (401 without it).

    fake_admin.py --token T [--port 0] [--swift PATH]

Prints `listening http://127.0.0.1:PORT/admin/` once ready.
"""
import argparse
import copy
import datetime
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

CSP = ("default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
       "connect-src 'self'; media-src https: http:")


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def page_html(swift_path):
    text = open(swift_path, encoding="utf-8").read()
    match = re.search(r'#"""\n(.*?)\n"""#', text, re.S)
    if not match:
        sys.exit(f"fake_admin: no #\"\"\" ... \"\"\"# literal in {swift_path}")
    return match.group(1).encode("utf-8")


def member(address, name=None, state="available", offered=0, answered=0, missed=0, voicemails=0):
    return {"address": address, "name": name, "state": state, "paused": None,
            "today": {"offered": offered, "answered": answered, "missed": missed, "voicemails": voicemails}}


def initial_state():
    t = now()
    ago = lambda minutes: iso(t - datetime.timedelta(minutes=minutes))
    lunch = member("+15551111113", "Cy", "paused", 1, 1, 0, 0)
    lunch["paused"] = {"by": "sms", "reason": "lunch", "until": iso(t + datetime.timedelta(minutes=40)), "since": ago(20)}
    return {
        "routes": {"path": "routes.json", "ok": True, "loaded": ago(90), "error": None,
                   "summary": "routes.json ok: 2 numbers, 2 pools, 5 members"},
        "pools": [
            {"name": "sales", "strategy": "round_robin", "open": True, "next": "+15551111112",
             "members": [member("+15551111111", "Ann", "available", 3, 2, 1, 0),
                         member("+15551111112", None, "available", 2, 1, 0, 1),
                         lunch]},
            {"name": "support", "strategy": "simultaneous", "open": False, "next": None,
             "members": [member("+15552222221", "<b>Dee</b> & \"co\"", "off_shift"),
                         member("sip:bob@example.sip.signalwire.com", "Bob", "disabled")]},
        ],
        "calls": [
            {"id": "c3", "time": ago(2), "from": "+15557770003", "to": "+15550000001", "pool": "sales",
             "outcome": None, "answered_by": None, "talk_seconds": None},
            {"id": "c2", "time": ago(15), "from": "+15557770002", "to": "+15550000001", "pool": "sales",
             "outcome": "voicemail", "answered_by": None, "talk_seconds": None},
            {"id": "c1", "time": ago(40), "from": "+15557770001", "to": "+15550000001", "pool": "sales",
             "outcome": "answered", "answered_by": "+15551111111", "talk_seconds": 134},
            {"id": "c0", "time": ago(60 * 26), "from": "+15557770009", "to": "+15550000009", "pool": None,
             "outcome": "unrouted", "answered_by": None, "talk_seconds": None},
        ],
        "messages": [
            {"id": "m1", "time": ago(5), "from": "+15557770004", "to": "+15550000001", "pool": "sales",
             "member": "+15551111112", "status": "delivered"},
            {"id": "m0", "time": ago(30), "from": "+15557770005", "to": "+15550000002", "pool": "support",
             "member": None, "status": None},
        ],
        "voicemails": [
            {"call_id": "c2", "time": ago(15), "from": "+15557770002", "to": "+15550000001", "pool": "sales",
             "recording_url": "https://example.com/recordings/c2.mp3", "duration": 17},
            {"call_id": "cx", "time": ago(50), "from": "+15557770006", "to": "+15550000001", "pool": "sales",
             "recording_url": "javascript:alert(1)", "duration": None},
        ],
    }


class Admin:
    def __init__(self, token, html):
        self.token, self.html = token, html
        self.lock = threading.Lock()
        self.state = initial_state()

    def find(self, pool_name, address):
        pool = next((p for p in self.state["pools"] if p["name"] == pool_name), None)
        if pool is None:
            return None, f"no pool named {pool_name}"
        m = next((m for m in pool["members"] if m["address"] == address), None)
        if m is None:
            return None, f"{address} is not a member of {pool_name}"
        return m, None


def handler_for(admin):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            sys.stderr.write("fake_admin: " + (fmt % args) + "\n")

        def send(self, status, body, content_type="text/plain; charset=utf-8", extra=()):
            if isinstance(body, str):
                body = (body + "\n").encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def authorized(self):
            if self.headers.get("Authorization") == "Bearer " + admin.token:
                return True
            self.send(401, "admin token required", extra=[("WWW-Authenticate", "Bearer")])
            return False

        def do_GET(self):
            path = urlsplit(self.path).path
            if path in ("/admin", "/admin/"):
                return self.send(200, admin.html, "text/html; charset=utf-8", [("Content-Security-Policy", CSP)])
            if path == "/admin/overview":
                if not self.authorized():
                    return
                with admin.lock:
                    body = json.dumps(copy.deepcopy(admin.state)).encode()
                return self.send(200, body, "application/json")
            self.send(404, "not found")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path).path.split("/")
            # ['', 'admin', 'pools', POOL, 'members', MEMBER, ACTION]
            if len(parts) != 7 or parts[1:3] != ["admin", "pools"] or parts[4] != "members" \
                    or parts[6] not in ("pause", "resume"):
                return self.send(404, "not found")
            if not self.authorized():
                return
            try:
                body = json.loads(raw) if raw.strip() else {}
                if not isinstance(body, dict):
                    raise ValueError("not an object")
            except ValueError as e:
                return self.send(400, f"the body is not a JSON object: {e}")
            pool, address, action = unquote(parts[3]), unquote(parts[5]), parts[6]
            with admin.lock:
                m, error = admin.find(pool, address)
                if m is None:
                    return self.send(404, error)
                if action == "pause":
                    m["paused"] = {"by": "admin", "reason": body.get("reason"), "until": body.get("until"),
                                   "since": iso(now())}
                    if m["state"] != "disabled":
                        m["state"] = "paused"
                else:
                    m["paused"] = None
                    if m["state"] == "paused":
                        m["state"] = "available"
                answer = json.dumps(m).encode()
            self.send(200, answer, "application/json")

    return Handler


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--swift", default=os.path.join(here, "..", "..", "Sources", "Switchboard", "OperatorPage.swift"))
    args = parser.parse_args()
    admin = Admin(args.token, page_html(args.swift))
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(admin))
    print(f"listening http://127.0.0.1:{server.server_address[1]}/admin/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
