#!/usr/bin/env python3
"""Two builds of rumor side by side, in one run: lookups and simulator.

Usage: bench/run-before-after.py BEFORE_BUILD AFTER_BUILD [SECONDS] [ROUNDS]

Each build directory must hold rumor, rumor-sim and bench-lookup (any
build type; build both the same way). What runs, ROUNDS times (default 3),
the two builds alternating inside every round so that a busy machine
hurts both alike:

 - lookups: AGENTS (env, default 5) agents of each build on 127.0.0.1,
   each registering SERVICES (env, default 20) services svc-0.. with that
   build's own CLI; then that build's bench-lookup asks agent 0 for
   SECONDS (default 5): one client, four clients at once, and one client
   pipelining 32 requests (the server's capacity);
 - PIN=1 puts agent 0 of each build and every client on CPU 1;
 - simulator: `rumor-sim --nodes N --start warm --duration 60s` for N in
   SIM_NODES (env, default "1000 2000"), CPU time.

The agent's CPU time per lookup (from /proc) and the simulator's CPU time
are the figures to trust on a busy machine; rates and latencies move with
whatever else runs.

Figures: lookups/s the median over rounds, p50 the median client's median
over rounds, p99 the worst client's in the worst round, CPU the median; simulator
CPU time the median and the most. Writes bench/results/before-after.json and .md.
Loopback only; every process is stopped by its PID.
"""
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))


# PIN=1: agent 0 of each build and every lookup client on CPU 1 (taskset),
# so a request never waits for another CPU to wake (on a busy VM that
# wait is most of what a rate or a p99 shows).
PIN = ["taskset", "-c", "1"] if os.environ.get("PIN") == "1" else []


def start_cluster(build, work, tag, base, agents, services):
    procs = []
    rumor = os.path.join(build, "rumor")
    for i in range(agents):
        sock = os.path.join(work, f"{tag}{i}.sock")
        cmd = [rumor, "agent", "--name", f"{tag}{i}", "--bind",
               f"127.0.0.1:{base + i}", "--socket", sock, "--no-encrypt",
               "--data-dir", os.path.join(work, f"{tag}{i}.d")]
        if i > 0:
            cmd += ["--join", f"127.0.0.1:{base}"]
        log = open(os.path.join(work, f"{tag}{i}.log"), "w")
        procs.append(subprocess.Popen((PIN if i == 0 else []) + cmd,
                                      stdout=log, stderr=log))
        if i == 0:
            time.sleep(0.5)
    for i in range(agents):
        sock = os.path.join(work, f"{tag}{i}.sock")
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        else:
            raise SystemExit(f"run-before-after: {tag}{i} did not start")
        for k in range(services):
            subprocess.run([rumor, "register", f"svc-{k}", "--port",
                            str(8000 + i), "--socket", sock],
                           stdout=subprocess.DEVNULL, check=True)
    sock0 = os.path.join(work, f"{tag}0.sock")
    for _ in range(300):
        out = subprocess.run([rumor, "lookup", f"svc-{services - 1}",
                              "--json", "--socket", sock0],
                             capture_output=True, text=True)
        try:
            if len(json.loads(out.stdout)) == agents:
                return procs
        except ValueError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"run-before-after: {tag}'s catalog did not converge")


def cpu_s(pid):
    """User + system CPU seconds of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_cpu(pid, run):
    """run()'s result with the agent's CPU µs per lookup added: a figure
    that holds when the machine is busy and wall-clock rates do not."""
    before = cpu_s(pid)
    r = run()
    r["cpu_us"] = (cpu_s(pid) - before) * 1e6 / max(1, r["lookups"])
    return r


def lookups(build, sock, secs, services, clients):
    exe = os.path.join(build, "bench-lookup")
    ps = [subprocess.Popen(PIN + [exe, "rumor", sock, "svc", str(secs),
                            str(services)], stdout=subprocess.PIPE,
                           text=True) for _ in range(clients)]
    runs = [json.loads(p.communicate()[0]) for p in ps]
    return {"per_s": sum(r["per_s"] for r in runs),
            "lookups": sum(r["lookups"] for r in runs),
            "p50_us": sorted(r["p50_us"] for r in runs)[len(runs) // 2],
            "p99_us": max(r["p99_us"] for r in runs)}


def pipelined(build, sock, secs, services):
    out = subprocess.run(PIN + [os.path.join(build, "bench-lookup"),
                          "rumor-pipelined", sock, "svc", str(secs),
                          str(services), "32"], capture_output=True,
                         text=True, check=True)
    r = json.loads(out.stdout)
    return {"per_s": r["per_s"], "lookups": r["lookups"],
            "p50_us": r["p50_us"], "p99_us": r["p99_us"]}


def sim_cpu(build, n):
    """CPU seconds (user + system) of one simulator run."""
    with tempfile.TemporaryDirectory() as t:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([os.path.join(build, "rumor-sim"), "--nodes", str(n),
                        "--start", "warm", "--duration", "60s", "--seed", "1",
                        "--json", os.path.join(t, "o.json")],
                       stdout=subprocess.DEVNULL, check=True)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    builds = {"before": os.path.abspath(sys.argv[1]),
              "after": os.path.abspath(sys.argv[2])}
    secs = float(sys.argv[3]) if len(sys.argv) > 3 else 5
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    agents = int(os.environ.get("AGENTS", 5))
    services = int(os.environ.get("SERVICES", 20))
    sim_nodes = [int(x) for x in os.environ.get("SIM_NODES",
                                                "1000 2000").split()]
    for b in builds.values():
        for exe in ("rumor", "rumor-sim", "bench-lookup"):
            if not os.access(os.path.join(b, exe), os.X_OK):
                raise SystemExit(f"run-before-after: no {exe} in {b}")
    work = tempfile.mkdtemp(prefix="rumor-ba.")
    procs = []
    base = 20000 + os.getpid() % 20000
    try:
        for j, (tag, b) in enumerate(builds.items()):
            procs += start_cluster(b, work, tag, base + 100 * j, agents,
                                   services)
        kinds = ["1 client", "4 clients", "1 client, 32 deep"]
        res = {tag: {k: [] for k in kinds + [f"sim {n}" for n in sim_nodes]}
               for tag in builds}
        for r in range(rounds):
            print(f"round {r + 1} of {rounds}", file=sys.stderr)
            for j, (tag, b) in enumerate(builds.items()):
                sock = os.path.join(work, f"{tag}0.sock")
                pid = procs[j * agents].pid
                res[tag]["1 client"].append(with_cpu(pid, lambda: lookups(
                    b, sock, secs, services, 1)))
                res[tag]["4 clients"].append(with_cpu(pid, lambda: lookups(
                    b, sock, secs, services, 4)))
                res[tag]["1 client, 32 deep"].append(with_cpu(
                    pid, lambda: pipelined(b, sock, secs, services)))
            for n in sim_nodes:
                for tag, b in builds.items():
                    res[tag][f"sim {n}"].append(sim_cpu(b, n))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()
        shutil.rmtree(work, ignore_errors=True)

    md = ["| lookups | before /s | after /s | ratio | before p50 / p99 µs |"
          " after p50 / p99 µs | p99 ratio | agent CPU µs per lookup"
          " before / after | ratio |", "|---|---|---|---|---|---|---|---|---|"]
    summary = {"builds": builds, "seconds": secs, "rounds": rounds,
               "agents": agents, "services": services, "raw": res,
               "lookups": {}, "sim": {}}
    for k in kinds:
        row = {}
        for tag in builds:
            v = res[tag][k]
            row[tag] = {"per_s": statistics.median(x["per_s"] for x in v),
                        "cpu_us": statistics.median(x["cpu_us"] for x in v),
                        "p50_us": statistics.median(x["p50_us"] for x in v),
                        "p99_us": max(x["p99_us"] for x in v)}
        summary["lookups"][k] = row
        b, a = row["before"], row["after"]
        md.append("| %s | %.0f | %.0f | %.2f | %.1f / %.1f | %.1f / %.1f | "
                  "%.2f | %.2f / %.2f | %.2f |" % (
                      k, b["per_s"], a["per_s"], a["per_s"] / b["per_s"],
                      b["p50_us"], b["p99_us"], a["p50_us"], a["p99_us"],
                      a["p99_us"] / b["p99_us"], b["cpu_us"], a["cpu_us"],
                      a["cpu_us"] / b["cpu_us"]))
    md += ["", "| simulator, warm, 60 s virtual | before CPU s (median, max)"
           " | after CPU s (median, max) | ratio of medians |",
           "|---|---|---|---|"]
    for n in sim_nodes:
        k = f"sim {n}"
        b, a = res["before"][k], res["after"][k]
        summary["sim"][k] = {"before": [statistics.median(b), max(b)],
                             "after": [statistics.median(a), max(a)]}
        md.append("| %d nodes | %.2f, %.2f | %.2f, %.2f | %.2f |" % (
            n, statistics.median(b), max(b), statistics.median(a), max(a),
            statistics.median(a) / statistics.median(b)))
    md += ["", ("Agent 0 of each build and every client pinned to CPU 1 "
                "(PIN=1). " if PIN else "") +
           f"{agents} agents x {services} services per build, each answer "
           f"{agents} instances; {secs:g} s per lookup run, {rounds} rounds, "
           "the builds alternating. Lookups/s and p50: medians over rounds; "
           "p99: the worst client of the worst round. CPU: the agent's (lookups) "
           "or the simulator's (user + system) time, which a busy machine "
           "disturbs far less than rates and latencies."]
    out = os.path.join(ROOT, "bench", "results", "before-after")
    with open(out + ".json", "w") as f:
        json.dump(summary, f, indent=1)
    with open(out + ".md", "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
