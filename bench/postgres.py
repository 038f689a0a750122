#!/usr/bin/env python3
"""The PostgreSQL scenario of `make bench`: three Switchboard instances on one PostgreSQL, against
pgbench running a comparable one-update-one-insert transaction in the same run.

A throwaway cluster (scripts/pg-test-cluster.sh: a unix socket in a temporary directory, nothing on
the network) with the server's default durability (fsync, synchronous_commit on). pgbench first:
BENCH_PG_CLIENTS clients (32) each running UPDATE pool_state (one row: the rotation's position) and
INSERT INTO decisions in one transaction, for BENCH_PG_SECONDS (10): the engine's own limit here on
that shape. Then three instances (release build) on the same database, wrk driving /voice on each
with a third of the BENCH_PG_CLIENTS connections, for the same time: decisions per second (counted in the database),
wrk's p99, and one decision per 2xx answer checked. With BENCH_PG_BASELINE=/path/to/another/switchboard,
then BENCH_PG_ROUNDS (3) paired rounds, each build on a new database in turn, and their medians.
Appends the figures to bench/RESULTS.md.
"""
import os, re, subprocess, sys, tempfile, time, socket, json, urllib.request, signal, statistics

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECONDS = int(os.environ.get("BENCH_PG_SECONDS", "10"))
CLIENTS = int(os.environ.get("BENCH_PG_CLIENTS", "32"))
BINARY = os.path.join(ROOT, os.environ.get("BENCH_BINARY", ".build/release/switchboard"))
# Another build to compare with in paired rounds (e.g. the last commit's, built elsewhere), and how many.
BASELINE = os.environ.get("BENCH_PG_BASELINE")
ROUNDS = int(os.environ.get("BENCH_PG_ROUNDS", "3"))
CLUSTER = os.path.join(ROOT, "scripts/pg-test-cluster.sh")
ROUTES = {
    "numbers": {"+15550000001": {"voice": "sales", "sms": "sales"}},
    "pools": {"sales": {"members": ["+15551111111", "+15551111112", "+15551111113"], "strategy": "round_robin"}},
}
# `ROW`: the pool's row, as the rotation has it (every transaction waits for the one before to
# commit), or one row per client (`'bench-' || :client_id`), where the server's commits overlap.
PGBENCH_SCRIPT = """\\set m random(1, 3)
\\set n random(1, 1000000000)
BEGIN;
UPDATE pool_state SET last_member = '+1555111111' || :m, updated = extract(epoch from clock_timestamp()) WHERE pool = ROW;
INSERT INTO decisions (time, channel, id, "from", "to", pool, member)
  VALUES (extract(epoch from clock_timestamp()), 'voice', 'pgbench-' || :n, '+12135550123', '+15550000001', 'bench', '+1555111111' || :m);
END;
"""
WRK_SCRIPT = """
local n = 0
local prefix = os.getenv("PREFIX") or "c"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local id = prefix .. "-" .. n
  return wrk.format(nil, "/voice", nil,
    '{"call":{"call_id":"' .. id .. '","call_state":"created","direction":"inbound","type":"phone",' ..
    '"from":"+12135550123","to":"+15550000001"}}')
end
"""


def bindir():
    found = sorted(d for d in (f"/usr/lib/postgresql/{v}/bin" for v in os.listdir("/usr/lib/postgresql")) if os.path.exists(d + "/pgbench"))
    return found[-1]


def psql(url, sql):
    return subprocess.run([bindir() + "/psql", url, "-Atqc", sql], capture_output=True, text=True, check=True, timeout=60).stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port):
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit(f"instance on port {port} never became healthy")


def latency_ms(text, percentile):
    match = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % re.escape(percentile), text, re.M)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def start_instances(binary, url, work, env):
    """Three instances of `binary` on `url`, each healthy: [(process, port)]."""
    daemons = []
    routes = os.path.join(work, "routes.json")
    with open(routes, "w") as f:
        json.dump(ROUTES, f)
    for i in range(3):
        port = free_port()
        log = open(os.path.join(work, f"instance-{len(os.listdir(work))}.log"), "w")
        process = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}", "--routes", routes, "--db", url],
                                   env=env, stdout=log, stderr=log)
        daemons.append((process, port))
        wait_healthy(port)
    return daemons


def stop_instances(daemons):
    for process, _ in daemons:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    daemons.clear()


def metrics(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        return r.read().decode()


def measure(daemons, url, work, prefix="i"):
    """wrk on every instance at once (CLIENTS connections in all: 32 is 11, 11 and 10) for SECONDS:
    the decisions stored, wrk's latencies and the checks, as a dict."""
    def answered():
        return sum(int(m) for _, port in daemons
                   for m in re.findall(r'switchboard_http_requests_total\{endpoint="/voice",status="2\d\d"\} (\d+)', metrics(port)))
    answered_before = answered()
    lua = os.path.join(work, "voice.lua")
    with open(lua, "w") as f:
        f.write(WRK_SCRIPT)
    before = int(psql(url, "SELECT count(*) FROM decisions"))
    spread = [CLIENTS // 3 + (1 if i < CLIENTS % 3 else 0) for i in range(3)]
    runs = [subprocess.Popen(["wrk", "-t1", f"-c{spread[i]}", f"-d{SECONDS}s", "--timeout", "5s", "--latency", "-s", lua,
                              f"http://127.0.0.1:{port}"], env={**os.environ, "PREFIX": f"{prefix}{i}"},
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for i, (_, port) in enumerate(daemons)]
    outputs = [run.communicate(timeout=SECONDS + 60)[0] for run in runs]
    decisions = int(psql(url, "SELECT count(*) FROM decisions")) - before
    fallbacks = 0
    for _, port in daemons:
        m = re.search(r'switchboard_routing_fallbacks_total\{reason="store"\} (\d+)', metrics(port))
        fallbacks += int(m.group(1)) if m else 0
    rows = psql(url, "SELECT member, count(*) FROM decisions WHERE pool = 'sales' GROUP BY member ORDER BY member").splitlines()
    counts = [int(r.split("|")[1]) for r in rows]
    return {
        "connections": sum(spread), "rate": decisions / SECONDS, "decisions": decisions, "answered": answered() - answered_before,
        "requests": sum(int(re.search(r"(\d+) requests in", o).group(1)) for o in outputs),
        "non2xx": sum(int(m) for o in outputs for m in re.findall(r"Non-2xx or 3xx responses: (\d+)", o)),
        "p50": max(latency_ms(o, "50") for o in outputs), "p99": max(latency_ms(o, "99") for o in outputs),
        "fallbacks": fallbacks, "spread": max(counts) - min(counts) if counts else 0,
    }


def checks(r):
    ok = r["decisions"] == r["answered"] and r["fallbacks"] == 0
    return (f"{r['requests']} requests, non-2xx {r['non2xx']}, fallbacks {r['fallbacks']}, decisions {r['decisions']} "
            f"(2xx answers {r['answered']}: {'one decision each' if ok else 'MISMATCH'}), member spread {r['spread']}")


def main():
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} not built (make bench builds it)")
    if BASELINE and not os.path.exists(BASELINE):
        sys.exit(f"BENCH_PG_BASELINE: {BASELINE} does not exist")
    directory = subprocess.run([CLUSTER, "start"], capture_output=True, text=True, check=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="sb-bench-pg-")
    daemons = []
    env = {"PATH": os.environ.get("PATH", ""), "SWITCHBOARD_NO_CONFIGURE": "1", "SWITCHBOARD_LOG_LEVEL": "warning"}
    try:
        admin = subprocess.run([CLUSTER, "url", directory], capture_output=True, text=True, check=True).stdout.strip()
        psql(admin, "CREATE DATABASE bench")
        url = admin.replace("/postgres?", "/bench?")
        # The instances migrate the schema; pgbench then uses the same tables.
        daemons = start_instances(BINARY, url, work, env)
        psql(url, "INSERT INTO pool_state (pool) SELECT 'bench-' || i FROM generate_series(0, 1000) i UNION SELECT 'bench'")
        host = re.search(r"host=([^&]+)", url).group(1)

        def pgbench(row):
            script = os.path.join(work, "decision.sql")
            with open(script, "w") as f:
                f.write(PGBENCH_SCRIPT.replace("ROW", row))
            out = subprocess.run(
                [bindir() + "/pgbench", "-n", "-M", "prepared", "-f", script, "-c", str(CLIENTS), "-j", "2", "-T", str(SECONDS),
                 "-h", host, "-U", "postgres", "bench"], capture_output=True, text=True, timeout=SECONDS + 60).stdout
            psql(url, "DELETE FROM decisions WHERE pool = 'bench'")
            return float(re.search(r"tps = ([\d.]+)", out).group(1)), float(re.search(r"latency average = ([\d.]+) ms", out).group(1))

        tps, pg_latency = pgbench("'bench'")
        free_tps, free_latency = pgbench("'bench-' || :client_id")
        # What pgbench left (dead rows, dirty buffers) is not the instances' to pay for: vacuumed
        # and checkpointed before they run, as pgbench itself vacuums before its runs.
        psql(url, "VACUUM ANALYZE")
        psql(url, "CHECKPOINT")
        r = measure(daemons, url, work)
        stop_instances(daemons)
        result = (f"pgbench (1 UPDATE + 1 INSERT a transaction, c={CLIENTS}), one row: {tps:,.0f} tps, latency average {pg_latency:.2f} ms\n"
                  f"pgbench (the same, a row per client):        {free_tps:,.0f} tps, latency average {free_latency:.2f} ms\n"
                  f"switchboard x3 (/voice, c={r['connections']} total): {r['rate']:,.0f} decisions/s = {r['rate'] / tps:.2f}x pgbench one row, "
                  f"{r['rate'] / free_tps:.2f}x a row per client, p50 {r['p50']:.2f} ms, p99 {r['p99']:.2f} ms (slowest instance), {checks(r)}")

        if BASELINE:
            # Paired rounds, each run on a new database: the baseline, then this build.
            lines = [f"paired rounds, {ROUNDS} x (baseline {BASELINE}, then {BINARY}), c={r['connections']}, {SECONDS} s each:"]
            figures = {"baseline": [], "this": []}
            for round in range(1, ROUNDS + 1):
                for label, binary in (("baseline", BASELINE), ("this", BINARY)):
                    name = f"bench_{label}_{round}"
                    psql(admin, f"CREATE DATABASE {name}")
                    run_url = admin.replace("/postgres?", f"/{name}?")
                    daemons = start_instances(binary, run_url, work, env)
                    # The pool's row exists before the load, as after any first call.
                    figures[label].append(measure(daemons, run_url, work, prefix=f"{name}-"))
                    stop_instances(daemons)
                    psql(admin, f"DROP DATABASE {name}")
                b, t = figures["baseline"][-1], figures["this"][-1]
                lines.append(f"  round {round}: baseline {b['rate']:,.0f} decisions/s p50 {b['p50']:.2f} p99 {b['p99']:.2f} ms; "
                             f"this {t['rate']:,.0f} decisions/s p50 {t['p50']:.2f} p99 {t['p99']:.2f} ms")
                for f in (b, t):
                    if f["decisions"] != f["answered"] or f["fallbacks"] or f["non2xx"]:
                        lines.append(f"    MISMATCH: {checks(f)}")
            for label in ("baseline", "this"):
                runs = figures[label]
                lines.append(f"  median {label}: {statistics.median(x['rate'] for x in runs):,.0f} decisions/s, "
                             f"p50 {statistics.median(x['p50'] for x in runs):.2f} ms, p99 {statistics.median(x['p99'] for x in runs):.2f} ms")
            result += "\n" + "\n".join(lines)

        print(result)
        with open(os.path.join(ROOT, "bench/RESULTS.md"), "a") as f:
            commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
            load = open("/proc/loadavg").read().split()[0]
            f.write(f"\n## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit}, PostgreSQL (bench/postgres.py)\n\n"
                    f"{os.cpu_count()} cores, load average {load} at the end; {SECONDS} s runs, the server's default durability.\n\n"
                    f"```\n{result}\n```\n")
    finally:
        stop_instances(daemons)
        subprocess.run([CLUSTER, "stop", directory])


if __name__ == "__main__":
    main()
