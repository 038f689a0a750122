#!/usr/bin/env python3
"""Switchboard's benchmark: the daemon against nginx answering a fixed SWML document, in one run.

Starts a release build with a fresh database and three pools, drives it with wrk (pre-signed
requests: the full path includes the signature check), prints requests/s, latency percentiles,
errors and RSS, checks that the database holds exactly one decision per 2xx routing answer, and
appends the figures to bench/RESULTS.md. nginx is measured before and after Switchboard's runs and
the ratios are to its mean, so that a shared machine whose speed drifts meanwhile skews them less;
then /voice at 32 connections, with both durabilities, is measured again in short rounds that
alternate with nginx (BENCH_PAIRS, BENCH_PAIR_SECONDS), and the median of those ratios printed too.
Everything listens on 127.0.0.1; every run is bounded.
"""
import base64, hashlib, hmac, json, os, platform, re, resource, signal, socket, sqlite3, subprocess, sys, tempfile, time
import urllib.parse, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CONNECTIONS = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "32,256").split(",")]
KEY = "PSK_bench_signing_key"
PUBLIC = "https://sb.bench.example"
REQUESTS_PER_FILE = 20000
# Paired rounds: nginx, Switchboard and Switchboard with durability=full in turn, a short run each, so
# that every ratio compares runs seconds apart (a shared machine's speed drifts by tens of percent
# within minutes). The median of the rounds is the steadier figure; the spread shows the drift.
PAIRS = int(os.environ.get("BENCH_PAIRS", "5"))
PAIR_SECONDS = int(os.environ.get("BENCH_PAIR_SECONDS", "3"))

ROUTES = {
    "numbers": {
        "+15550000001": {"voice": "sales", "sms": "sales", "greeting": "Thanks for calling Acme sales."},
        "+15550000002": {"voice": "support", "sms": "support"},
        "+15550000003": {"voice": "night", "sms": "night"},
    },
    "pools": {
        "sales": {"members": ["+15551111111", "+15551111112", "+15551111113"], "strategy": "round_robin"},
        "support": {"members": ["+15552222221", "+15552222222"], "strategy": "least_recent"},
        "night": {"members": ["+15553333331", "+15553333332"], "strategy": "sequential", "confirm": True},
    },
    "default": {"voice": "support", "sms": "support"},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def json_signature(url, body):
    return hmac.new(KEY.encode(), (url + body).encode(), hashlib.sha1).hexdigest()


def form_signature(url, params):
    data = url + "".join(k + v for k, v in sorted(params))
    return base64.b64encode(hmac.new(KEY.encode(), data.encode(), hashlib.sha1).digest()).decode()


def write_requests(directory):
    """Pre-signed request bodies for each scenario: (name, path, content type, file)."""
    scenarios = []
    def emit(name, path, content_type, make):
        file = os.path.join(directory, name + ".txt")
        with open(file, "w") as f:
            for i in range(REQUESTS_PER_FILE):
                signature, body = make(i)
                f.write(signature + "\t" + body + "\n")
        scenarios.append((name, path, content_type, file))

    def voice_json(i):
        body = json.dumps({"call": {
            "call_id": f"bench-call-{i:06d}-5d63b2e-f75b-4dc8-b6d4", "node_id": "fa3570ae@us-west",
            "segment_id": f"bench-seg-{i:06d}", "call_state": "created", "direction": "inbound", "type": "phone",
            "from": f"+1213{i % 10000000:07d}", "to": "+15550000001", "from_number": f"+1213{i % 10000000:07d}",
            "to_number": "+15550000001", "project_id": "4b7ae78a-d02e-4889-a63b-08b156d5916e",
            "space_id": "62615f44-2a34-4235-b38b-76b5a1de6ef8"}, "vars": {}}, separators=(",", ":"))
        return json_signature(PUBLIC + "/voice", body), body

    def form(params, path):
        return form_signature(PUBLIC + path, params), urllib.parse.urlencode(params)

    emit("voice_json", "/voice", "application/json", voice_json)
    emit("voice_form", "/voice", "application/x-www-form-urlencoded", lambda i: form(
        [("CallSid", f"CA{i:032d}"), ("AccountSid", "AC1"), ("From", f"+1213{i % 10000000:07d}"), ("To", "+15550000002"),
         ("CallStatus", "ringing"), ("Direction", "inbound")], "/voice"))
    emit("sms", "/sms", "application/x-www-form-urlencoded", lambda i: form(
        [("MessageSid", f"SM{i:032d}"), ("AccountSid", "AC1"), ("From", f"+1213{i % 10000000:07d}"), ("To", "+15550000001"),
         ("Body", "Hello, is anyone there?"), ("NumMedia", "0")], "/sms"))
    emit("status_call", "/status/call", "application/x-www-form-urlencoded", lambda i: form(
        [("CallSid", f"CA{i // 4:032d}"), ("CallStatus", ["queued", "ringing", "in-progress", "completed"][i % 4]),
         ("From", "+12135550000"), ("To", "+15550000001"), ("Direction", "inbound")], "/status/call"))
    return scenarios


class Daemon:
    def __init__(self, binary, directory, durability="normal"):
        self.port = free_port()
        self.db = os.path.join(directory, f"switchboard-{durability}.sqlite")
        notify = os.path.join(directory, f"notify-{durability}.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(notify)
        listener.settimeout(10)
        env = {"PATH": os.environ.get("PATH", ""), "NOTIFY_SOCKET": notify, "SIGNALWIRE_SIGNING_KEY": KEY,
               "SWITCHBOARD_PUBLIC_URL": PUBLIC, "SWITCHBOARD_NO_CONFIGURE": "1", "SWITCHBOARD_DURABILITY": durability,
               "SWITCHBOARD_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "info")}
        self.log_path = os.path.join(directory, f"daemon-{durability}.log")
        self.log = open(self.log_path, "w")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--routes", os.path.join(directory, "routes.json"),
             "--db", self.db], env=env, stderr=self.log, stdout=self.log)
        self.ready_ms = None
        while self.ready_ms is None:
            data = listener.recv(4096).decode()
            if "READY=1" in data:
                self.ready_ms = (time.monotonic() - started) * 1000
        listener.close()
        time.sleep(0.3)
        self.idle_rss_kib = self.status("VmRSS")
        # Anonymous memory is the daemon's own; file-backed pages are its binary's and shared
        # libraries' code and data, shared with every other process mapping them.
        self.idle_anon_kib = self.status("RssAnon")
        self.idle_file_kib = self.status("RssFile")

    def status(self, field):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5) as r:
            return r.read().decode()

    def answered_2xx(self, endpoint):
        pattern = re.compile(r'switchboard_http_requests_total\{endpoint="%s",status="2\d\d"\} (\d+)' % re.escape(endpoint))
        return sum(int(m) for m in pattern.findall(self.metrics()))

    def stop(self):
        peak = self.status("VmHWM")
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=15)
        self.log.close()
        return peak, code

    def slow_commits(self):
        """The daemon's "Slow database commit" warnings (batches of 100 ms or more): count and longest."""
        with open(self.log_path) as f:
            found = [int(m) for m in re.findall(r"Slow database commit.*?milliseconds=(\d+)", f.read())]
        return f"slow commits (>= 100 ms): {len(found)}" + (f", longest {max(found)} ms" if found else "")

    def decisions(self):
        with sqlite3.connect(self.db) as db:
            return db.execute("SELECT count(*) FROM decisions").fetchone()[0]


def cpu_seconds(pids):
    """User + system CPU time of processes (all their threads), from /proc/PID/stat."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def with_children(pid):
    """`pid` and its child processes (nginx's workers)."""
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def machine_ticks():
    """(steal, total) jiffies of all CPUs: time the hypervisor gave to others, on a shared machine."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return values[7], sum(values[:8])


def wrk(port, script, connections, env, server_pids, duration=DURATION):
    """One wrk run; besides wrk's figures: CPU per request of the server and of wrk, and steal time."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "-s", script, f"http://127.0.0.1:{port}"]
    server_before, wrk_before, ticks_before = cpu_seconds(server_pids), resource.getrusage(resource.RUSAGE_CHILDREN), machine_ticks()
    out = subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=duration + 60).stdout
    server_after, wrk_after, ticks_after = cpu_seconds(server_pids), resource.getrusage(resource.RUSAGE_CHILDREN), machine_ticks()
    match = re.search(r"WRK_RESULT (\{.*\})", out)
    if not match:
        sys.exit("wrk gave no result:\n" + out)
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    requests = max(result["requests"], 1)
    result["server_us"] = (server_after - server_before) / requests * 1e6
    wrk_cpu = (wrk_after.ru_utime + wrk_after.ru_stime) - (wrk_before.ru_utime + wrk_before.ru_stime)
    result["wrk_us"] = wrk_cpu / requests * 1e6
    result["steal"] = 100 * (ticks_after[0] - ticks_before[0]) / max(ticks_after[1] - ticks_before[1], 1)
    return result


def start_nginx(directory, body):
    port = free_port()
    document = os.path.join(directory, "swml.json")
    with open(document, "w") as f:
        f.write(body)
    conf = os.path.join(directory, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes auto;
pid {directory}/nginx.pid;
error_log {directory}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {directory}/nginx-body;
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{port} reuseport;
    location / {{
      default_type application/json;
      return 200 '{body}';
    }}
  }}
}}
""")
    process = subprocess.Popen(["nginx", "-c", conf, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    return process, port


def median(values):
    values = sorted(values)  # any iterable
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def line(name, connections, r, ratio=None):
    extra = f"  {ratio:.2f}x nginx" if ratio is not None else ""
    return (f"{name:<18} c={connections:<4} {r['rps']:>9.0f} req/s  p50 {r['p50_us'] / 1000:6.2f} ms  "
            f"p99 {r['p99_us'] / 1000:6.2f} ms  p99.9 {r['p999_us'] / 1000:6.2f} ms  non-2xx {r['non2xx']}  "
            f"socket errors {r['socket_errors']}  CPU/req server {r['server_us']:5.1f} us, wrk {r['wrk_us']:4.1f} us; "
            f"steal {r['steal']:.0f}%{extra}")


def main():
    binary = os.path.join(ROOT, os.environ.get("BENCH_BINARY", ".build/release/switchboard"))
    out = []
    def say(text=""):
        print(text, flush=True)
        out.append(text)

    with tempfile.TemporaryDirectory(prefix="switchboard-bench-") as directory:
        with open(os.path.join(directory, "routes.json"), "w") as f:
            json.dump(ROUTES, f)
        scenarios = write_requests(directory)
        daemon = Daemon(binary, directory)
        say(f"READY after {daemon.ready_ms:.1f} ms; idle RSS {daemon.idle_rss_kib / 1024:.1f} MiB "
            f"({daemon.idle_anon_kib / 1024:.1f} anonymous, {daemon.idle_file_kib / 1024:.1f} file-backed)")

        # nginx answers a document of the same size as Switchboard's /voice answer.
        name, path, ctype, file = scenarios[0]
        sig, body = open(file).readline().rstrip("\n").split("\t", 1)
        req = urllib.request.Request(f"http://127.0.0.1:{daemon.port}/voice", data=body.encode(),
                                     headers={"Content-Type": ctype, "X-SignalWire-Signature": sig})
        swml = urllib.request.urlopen(req, timeout=5).read().decode()
        # What serving brings back into memory: one request of every kind, then RSS again.
        for _, other_path, other_type, other_file in scenarios[1:]:
            sig, body = open(other_file).readline().rstrip("\n").split("\t", 1)
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{daemon.port}{other_path}", data=body.encode(),
                                   headers={"Content-Type": other_type, "X-SignalWire-Signature": sig}), timeout=5).read()
        time.sleep(0.3)
        say(f"RSS after one request of each kind {daemon.status('VmRSS') / 1024:.1f} MiB "
            f"({daemon.status('RssAnon') / 1024:.1f} anonymous, {daemon.status('RssFile') / 1024:.1f} file-backed)")
        say(f"SWML answer {len(swml)} bytes; nginx serves the same document, before and after Switchboard's runs")

        def measure_nginx():
            # The daemon's runs leave hundreds of MB of database pages to write back: flushed first, so
            # that the kernel's writeback does not run during nginx's measurement and slow it.
            os.sync()
            time.sleep(1)
            nginx, nginx_port = start_nginx(directory, swml.replace("'", "\\'"))
            try:
                return {c: wrk(nginx_port, "bench/nginx.lua", c, {"BENCH_BODY": body}, with_children(nginx.pid)) for c in CONNECTIONS}
            finally:
                nginx.terminate()
                nginx.wait(timeout=10)

        def progress(text):
            print(text, file=sys.stderr, flush=True)

        before = measure_nginx()
        for c in CONNECTIONS:
            say(line("nginx", c, before[c]))
        routed_by_wrk = 0
        results = {}
        for name, path, ctype, file in scenarios:
            for c in CONNECTIONS:
                progress(f"  {name} c={c}...")
                r = wrk(daemon.port, "bench/signed.lua", c, {"BENCH_PATH": path, "BENCH_CONTENT_TYPE": ctype, "BENCH_REQUESTS": file},
                        [daemon.process.pid])
                results[(name, c)] = r
                if path in ("/voice", "/sms"):
                    routed_by_wrk += r["requests"] - r["non2xx"]

        # The paired rounds, with both daemons up (each idle while another is measured).
        first = CONNECTIONS[0]
        voice_env = {"BENCH_PATH": "/voice", "BENCH_CONTENT_TYPE": "application/json", "BENCH_REQUESTS": scenarios[0][3]}
        full = Daemon(binary, directory, durability="full")
        rounds = []
        if PAIRS > 0:
            nginx, nginx_port = start_nginx(directory, swml.replace("'", "\\'"))
            try:
                for i in range(PAIRS):
                    progress(f"  paired round {i + 1} of {PAIRS}...")
                    runs = []
                    for port, script, env, pids in ((nginx_port, "bench/nginx.lua", {"BENCH_BODY": body}, with_children(nginx.pid)),
                                                    (daemon.port, "bench/signed.lua", voice_env, [daemon.process.pid]),
                                                    (full.port, "bench/signed.lua", voice_env, [full.process.pid])):
                        # Each run starts with the page cache clean: none pays for another's writeback.
                        os.sync()
                        runs.append(wrk(port, script, first, env, pids, duration=PAIR_SECONDS))
                    routed_by_wrk += runs[1]["requests"] - runs[1]["non2xx"]
                    rounds.append(runs)
            finally:
                nginx.terminate()
                nginx.wait(timeout=10)
        answered = daemon.answered_2xx("/voice") + daemon.answered_2xx("/sms")
        # The WAL file keeps its largest size when it starts over: how far it grew under the runs.
        wal_mib = os.path.getsize(daemon.db + "-wal") / 2**20 if os.path.exists(daemon.db + "-wal") else 0
        peak_kib, code = daemon.stop()
        decisions = daemon.decisions()
        peak_line = (f"peak RSS under load {peak_kib / 1024:.1f} MiB; largest WAL {wal_mib:.1f} MiB; SIGTERM exit code {code}; "
                     f"{daemon.slow_commits()}")
        ok = decisions == answered
        database_line = (f"database: {decisions} decisions; daemon answered {answered} routing requests 2xx "
                         f"(wrk saw {routed_by_wrk} complete before it stopped): {'OK, one decision per 2xx answer' if ok else 'MISMATCH'}")

        # Durability: synchronous=FULL with group commit, /voice at the first connection count.
        full_result = wrk(full.port, "bench/signed.lua", first, voice_env, [full.process.pid])
        # Requests wrk left in flight when it stopped are still committed and answered: let them settle.
        answered_full = full.answered_2xx("/voice")
        for _ in range(20):
            time.sleep(0.05)
            again = full.answered_2xx("/voice")
            if again == answered_full:
                break
            answered_full = again
        full.stop()

        # The ceiling for the ratios: nginx's mean before and after, so that a machine whose speed
        # drifts during the run (a shared host) moves both sides alike.
        after = measure_nginx()
        ceiling = {c: {"rps": (before[c]["rps"] + after[c]["rps"]) / 2, "server_us": (before[c]["server_us"] + after[c]["server_us"]) / 2,
                       "wrk_us": (before[c]["wrk_us"] + after[c]["wrk_us"]) / 2} for c in CONNECTIONS}
        for name, _, _, _ in scenarios:
            for c in CONNECTIONS:
                say(line(name, c, results[(name, c)], results[(name, c)]["rps"] / ceiling[c]["rps"]))
        say(line("voice_json FULL", first, full_result, full_result["rps"] / ceiling[first]["rps"]))
        for c in CONNECTIONS:
            say(line("nginx (after)", c, after[c]))
        drift = ", ".join(f"c={c} {after[c]['rps'] / before[c]['rps'] - 1:+.0%}" for c in CONNECTIONS)
        say(f"ratios are to nginx's mean of both runs; nginx after against before: {drift}")
        say(peak_line)
        say(database_line)
        say(f"durability=full database: {full.decisions()} decisions for {answered_full} 2xx answers; {full.slow_commits()}")
        paired = {}
        if rounds:
            say()
            say(f"paired rounds at c={first}, {PAIR_SECONDS} s a run: nginx, then Switchboard, then Switchboard with durability=full")
            for i, (n, v, f) in enumerate(rounds):
                say(f"  round {i + 1}: nginx {n['rps']:6.0f} req/s; /voice {v['rps']:6.0f} ({v['rps'] / n['rps']:.2f}x, p99 {v['p99_us'] / 1000:.2f} ms); "
                    f"full {f['rps']:6.0f} ({f['rps'] / n['rps']:.2f}x, p99 {f['p99_us'] / 1000:.2f} ms); "
                    f"steal {max(n['steal'], v['steal'], f['steal']):.0f}%")
            for key, index in (("voice", 1), ("full", 2)):
                ratios = [r[index]["rps"] / r[0]["rps"] for r in rounds]
                paired[key] = (median(ratios), min(ratios), max(ratios), median(r[index]["p99_us"] / 1000 for r in rounds))
            say("  medians: " + "; ".join(f"{k} {m:.2f}x ({lo:.2f}-{hi:.2f}), p99 {p:.2f} ms" for k, (m, lo, hi, p) in paired.items()))

        v = results[("voice_json", first)]
        say()
        say("targets (ratios in this run):")
        def in_rounds(key):
            if key not in paired:
                return ""
            m, lo, hi, _ = paired[key]
            return f" (paired rounds: median {m:.2f}x, {lo:.2f}-{hi:.2f})"
        say(f"  /voice c={first} >= 0.5x nginx: {v['rps'] / ceiling[first]['rps']:.2f}x{in_rounds('voice')}; "
            f"p99 <= 2 ms: {v['p99_us'] / 1000:.2f} ms" + (f" (paired median {paired['voice'][3]:.2f} ms)" if 'voice' in paired else ""))
        say(f"  peak RSS <= 40 MiB: {peak_kib / 1024:.1f}; idle <= 15 MiB: {daemon.idle_rss_kib / 1024:.1f}; READY <= 100 ms: {daemon.ready_ms:.1f}")
        say(f"  durability=full >= 0.25x nginx: {full_result['rps'] / ceiling[first]['rps']:.2f}x{in_rounds('full')}")
        # With every core busy, a server and wrk that need S + W us of CPU per request cannot pass
        # cores * 1e6 / (S + W) requests/s: the ratio to nginx is set by CPU per request.
        n, cores = ceiling[first], os.cpu_count()
        say(f"CPU per request at c={first}: Switchboard /voice {v['server_us']:.1f} us + wrk {v['wrk_us']:.1f} us, "
            f"nginx {n['server_us']:.1f} us + wrk {n['wrk_us']:.1f} us; {cores} cores allow at most "
            f"{cores * 1e6 / (v['server_us'] + v['wrk_us']):.0f} and {cores * 1e6 / (n['server_us'] + n['wrk_us']):.0f} requests/s")
        if not ok:
            sys.exit(1)

    if os.environ.get("BENCH_RECORD", "1") == "1":
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
        with open(os.path.join(ROOT, "bench", "RESULTS.md"), "a") as f:
            f.write(f"\n## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit}\n\n")
            f.write(f"Machine: {os.cpu_count()} cores, {cpu}; wrk -t1, {DURATION} s per run.\n\n```\n" + "\n".join(out) + "\n```\n")


if __name__ == "__main__":
    main()
