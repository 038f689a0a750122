#!/usr/bin/env python3
"""The floor: how fast any implementation of /voice's full path can be on this machine. Paired rounds
of nginx (a fixed document) and floor.c, a minimal single-threaded C server doing the same essential
work as Switchboard (HTTP keep-alive, HMAC-SHA1 signature, three JSON fields, round robin, one SQLite
WAL transaction per epoll turn with Switchboard's schema, answers after the commit, a log line each),
driven by bench.py's wrk scripts and pre-signed requests at 32 connections, 3 s a run.
usage: bench/floor/run.sh [ROUNDS=6] [VARIANTS=1]
VARIANTS: comma list of THREADS[:CKPT], THREADS 1 (the main one) or 2 (commit + responses on a second
thread), CKPT auto (SQLite's autocheckpoint, inline; default) or thread (background checkpointer);
an optional third field for diagnostics: nodb (no database at all), shm (database on tmpfs /dev/shm),
chunk (SQLITE_FCNTL_CHUNK_SIZE 8 MiB, as Switchboard's Checkpointer), full (synchronous=FULL, as
durability=full)."""
import os, sys, json, signal, sqlite3, subprocess, tempfile, time, urllib.request
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench"))
os.chdir(ROOT)
import bench  # noqa: E402  (the requests, wrk and nginx of the benchmark)

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 6
VARIANTS = [v if ":" in v else v + ":auto" for v in (sys.argv[2] if len(sys.argv) > 2 else "1").split(",")]
SECONDS, C = 3, 32

with tempfile.TemporaryDirectory(prefix="floor-bench-") as d:
    FLOOR = os.path.join(d, "floor")
    subprocess.run(["gcc", "-O2", "-Wall", "-Wno-deprecated-declarations", "-o", FLOOR, "bench/floor/floor.c",
                    "-lsqlite3", "-lcrypto", "-lpthread"], check=True)
    scenarios = bench.write_requests(d)
    name, path, ctype, file = scenarios[0]
    assert name == "voice_json"
    servers = {}
    for t in VARIANTS:
        port = bench.free_port()
        threads, ckpt, extra = (t.split(":") + [""])[:3]
        tag = t.replace(":", "-")
        db = os.path.join("/dev/shm" if extra == "shm" else d, f"floor-{tag}.sqlite")
        env = {**os.environ, "FLOOR_CKPT": ckpt, **({"FLOOR_NODB": "1"} if extra == "nodb" else {}),
               **({"FLOOR_CHUNK": "1"} if extra == "chunk" else {}), **({"FLOOR_SYNC": "FULL"} if extra == "full" else {})}
        p = subprocess.Popen([FLOOR, str(port), db, threads], stdout=subprocess.PIPE, text=True,
                             env=env, stderr=open(os.path.join(d, f"floor-{tag}.log"), "w"))
        assert p.stdout.readline().startswith("READY")
        servers[t] = (p, port, db)
    time.sleep(0.2)
    sig, body = open(file).readline().rstrip("\n").split("\t", 1)
    first = servers[VARIANTS[0]]
    req = urllib.request.Request(f"http://127.0.0.1:{first[1]}/voice", data=body.encode(),
                                 headers={"Content-Type": ctype, "X-SignalWire-Signature": sig})
    swml = urllib.request.urlopen(req, timeout=5).read().decode()
    print(f"floor answer body {len(swml)} bytes; nginx serves a document of the same size")
    nginx, nginx_port = bench.start_nginx(d, swml.replace("'", "\\'"))
    voice_env = {"BENCH_PATH": "/voice", "BENCH_CONTENT_TYPE": ctype, "BENCH_REQUESTS": file}
    rounds = []
    try:
        for i in range(ROUNDS):
            runs = {}
            os.sync()
            runs["nginx"] = bench.wrk(nginx_port, "bench/nginx.lua", C, {"BENCH_BODY": body}, bench.with_children(nginx.pid), duration=SECONDS)
            for t in VARIANTS:
                os.sync()
                runs[t] = bench.wrk(servers[t][1], "bench/signed.lua", C, voice_env, [servers[t][0].pid], duration=SECONDS)
            n = runs["nginx"]
            text = f"round {i + 1}: nginx {n['rps']:6.0f} req/s (CPU/req {n['server_us']:4.1f} us, wrk {n['wrk_us']:4.1f} us, non2xx {n['non2xx']})"
            for t in VARIANTS:
                r = runs[t]
                text += (f"; floor[{t}] {r['rps']:6.0f} ({r['rps'] / n['rps']:.2f}x; CPU/req {r['server_us']:4.1f} us, wrk {r['wrk_us']:4.1f} us, "
                         f"p99 {r['p99_us'] / 1000:.2f} ms, non2xx {r['non2xx']}, sockerr {r['socket_errors']})")
            print(text + f"; steal {max(x['steal'] for x in runs.values()):.0f}%", flush=True)
            rounds.append(runs)
    except BaseException:
        for p, _, _ in servers.values():
            p.terminate(); p.wait(timeout=10)
        raise
    finally:
        nginx.terminate(); nginx.wait(timeout=10)
    print(f"nginx median {bench.median(r['nginx']['rps'] for r in rounds):.0f} req/s, CPU/req {bench.median(r['nginx']['server_us'] for r in rounds):.1f} us, wrk {bench.median(r['nginx']['wrk_us'] for r in rounds):.1f} us")
    for t in VARIANTS:
        ratios = [r[t]["rps"] / r["nginx"]["rps"] for r in rounds]
        print(f"floor [{t}]: median ratio {bench.median(ratios):.3f}x (min {min(ratios):.3f}, max {max(ratios):.3f}); "
              f"median {bench.median(r[t]['rps'] for r in rounds):.0f} req/s, CPU/req server {bench.median(r[t]['server_us'] for r in rounds):.1f} us, "
              f"wrk {bench.median(r[t]['wrk_us'] for r in rounds):.1f} us")
        p, port, db = servers[t]
        p.send_signal(signal.SIGTERM)
        out = p.communicate(timeout=15)[0]
        answered = int(out.split("ANSWERED_200")[1].split()[0])
        decisions = sqlite3.connect(db).execute("SELECT count(*) FROM decisions").fetchone()[0]
        if t.endswith(":nodb"):
            decisions = answered  # no database: nothing to check
        if db.startswith("/dev/shm/"):
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix): os.unlink(db + suffix)
        logged = sum(1 for line in open(os.path.join(d, f"floor-{t.replace(':', '-')}.log")) if " INFO Routed call " in line)
        wrk_ok = sum(r[t]["requests"] - r[t]["non2xx"] for r in rounds)
        non2xx = sum(r[t]["non2xx"] + r[t]["socket_errors"] for r in rounds)
        print(f"  check: {decisions} decisions, server answered {answered} x 200, {logged} log lines "
              f"(wrk completed {wrk_ok} + 1 probe; non-2xx + socket errors {non2xx}): "
              f"{'OK' if decisions == answered == logged and non2xx == 0 else 'MISMATCH'}; exit {p.returncode}")
        print("  " + "\n  ".join(l for l in out.splitlines() if l.startswith(("STATS", "CKPT"))))
