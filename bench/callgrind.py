#!/usr/bin/env python3
"""Instructions per request, counted by valgrind's callgrind: the same figure every run, whatever else
the machine is doing, so a change to the request path can be judged on a shared machine.

For each scenario of bench.py (signed /voice JSON by default), the release daemon runs under callgrind
twice: once answering nothing (start and stop alone) and once answering REQUESTS requests from CLIENTS
keep-alive connections on loopback. The difference, divided by REQUESTS, is the cost of one request
in every thread of the daemon (HTTP, signature, routing, SQLite commit, log line, answer), kernel
excluded. One client makes a group-commit batch per request; several share batches, as under load.
Timers (the routes file watch, the log writer's flush) and WAL checkpoints add a little noise: about
1% between runs with 8 clients, more with one.

    bench/callgrind.py                      # /voice JSON, 1000 requests, 1 and 8 clients
    CG_SCENARIOS=voice_json,sms CG_TOP=15 bench/callgrind.py
    CG_CLIENTS=8 CG_KEEP=/tmp/cg bench/callgrind.py   # keeps /tmp/cg/voice_json-8.out and -base.out
"""
import json, os, shutil, socket, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the scenarios, routes and signing key of the benchmark)

REQUESTS = int(os.environ.get("CG_REQUESTS", "1000"))
CLIENTS = [int(c) for c in os.environ.get("CG_CLIENTS", "1,8").split(",")]
SCENARIOS = os.environ.get("CG_SCENARIOS", "voice_json").split(",")
TOP = int(os.environ.get("CG_TOP", "0"))
BINARY = os.path.join(bench.ROOT, os.environ.get("BENCH_BINARY", ".build/release/switchboard"))
TIMEOUT = 120  # seconds for any one run under valgrind
KEEP = os.environ.get("CG_KEEP")  # a directory to keep the callgrind files in, for callgrind_annotate


def run(directory, scenario, requests, clients, out):
    """The daemon under callgrind answering `requests` of `scenario`; returns its total instructions."""
    name, path, content_type, file = scenario
    entries = [line.rstrip("\n").split("\t", 1) for line in open(file)][:requests]
    port = bench.free_port()
    env = {"PATH": os.environ.get("PATH", ""), "SIGNALWIRE_SIGNING_KEY": bench.KEY, "SWITCHBOARD_PUBLIC_URL": bench.PUBLIC,
           "SWITCHBOARD_NO_CONFIGURE": "1", "SWITCHBOARD_LOG_LEVEL": "info"}
    db = os.path.join(directory, f"cg-{name}-{requests}-{clients}.sqlite")
    log = open(os.path.join(directory, "daemon.log"), "a")
    daemon = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", BINARY, "serve",
         "--listen", f"127.0.0.1:{port}", "--routes", os.path.join(directory, "routes.json"), "--db", db],
        env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or daemon.poll() is not None:
                    sys.exit("the daemon did not start under valgrind; see " + log.name)
                time.sleep(0.1)
        failures = []

        def client(first):
            try:
                answer_all(first)
            except Exception as error:  # a thread's exception would otherwise only be printed
                failures.append(repr(error))

        def answer_all(first):
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                for i in range(first, len(entries), clients):
                    signature, body = entries[i]
                    data = body.encode()
                    s.sendall((f"POST {path} HTTP/1.1\r\nHost: sb.bench.example\r\nContent-Type: {content_type}\r\n"
                               f"X-SignalWire-Signature: {signature}\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data)
                    answer = b""
                    while b"\r\n\r\n" not in answer:
                        chunk = s.recv(65536)
                        if not chunk:
                            failures.append("connection closed")
                            return
                        answer += chunk
                    head, rest = answer.split(b"\r\n\r\n", 1)
                    # No Content-Length: a 204 (status callbacks), no body.
                    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                                   if line.lower().startswith(b"content-length:")), 0)
                    while len(rest) < length:
                        rest += s.recv(65536)
                    if not head.startswith(b"HTTP/1.1 2"):
                        failures.append(head.split(b"\r\n")[0].decode())

        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(TIMEOUT)
        if failures:
            sys.exit(f"{name}: {len(failures)} requests failed, first: {failures[0]}")
    finally:
        daemon.terminate()
        try:
            daemon.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
    for line in open(out):
        if line.startswith("totals:") or line.startswith("summary:"):
            return int(line.split()[1])
    sys.exit("no totals in " + out)


def main():
    if KEEP:
        os.makedirs(KEEP, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="switchboard-callgrind-") as directory:
        with open(os.path.join(directory, "routes.json"), "w") as f:
            json.dump(bench.ROUTES, f)
        scenarios = {s[0]: s for s in bench.write_requests(directory)}
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=bench.ROOT, capture_output=True, text=True).stdout.strip()
        print(f"callgrind, commit {commit}: instructions per request ({REQUESTS} requests, start and stop subtracted)")
        for name in SCENARIOS:
            scenario = scenarios[name]
            base = run(directory, scenario, 0, 1, os.path.join(directory, "base.out"))
            if KEEP:
                shutil.copy(os.path.join(directory, "base.out"), os.path.join(KEEP, f"{name}-base.out"))
            figures = []
            for clients in CLIENTS:
                out = os.path.join(directory, f"{name}-{clients}.out")
                total = run(directory, scenario, REQUESTS, clients, out)
                if KEEP:
                    shutil.copy(out, KEEP)
                figures.append(f"{clients} client{'s' if clients > 1 else ''} {(total - base) / REQUESTS / 1000:6.1f}k")
                if TOP:
                    # The functions with the most instructions, callees included (inclusive), in the last run.
                    annotate = subprocess.run(["callgrind_annotate", "--inclusive=yes", out], capture_output=True, text=True).stdout
                    rows = [l for l in annotate.splitlines() if "%)" in l and "PROGRAM TOTALS" not in l][:TOP]
                    print(f"  top {TOP} inclusive, {name}, {clients} clients:")
                    for row in rows:
                        print("    " + row.strip()[:160])
            print(f"{name:<12} " + ", ".join(figures))


if __name__ == "__main__":
    main()
