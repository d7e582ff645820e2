#!/usr/bin/env python3
"""Accuracy under faults, worst case over seeds, in rumor-sim.

Usage: bench/run-accuracy.py [--sim PATH] [--jobs J] [--out NAME] CASE...
       bench/run-accuracy.py --table   the issue's whole table (hours)

CASE is KIND:N[:ARGS][@SEEDS]:
  split:N:SECONDS      halves partitioned for SECONDS, then 60 s healed
  loss:N:PCT:SECONDS   uniform loss on every path for SECONDS, then 60 s
  flaky:N:PCT:SECONDS  1 % of the nodes (at least one) lose PCT of what
                       they receive for SECONDS, then 60 s
  oneway:N:SECONDS     packets from the first half to the second dropped
  crashsplit:N         crash n17 at 30 s, split halves at 40 s, heal at 70 s
  crash:N              crash n17 at 20 s, 40 s more
Clusters of 1,000 nodes and more start warm; smaller ones join cold.
Every figure is the worst over the seeds (heal: from the heal until every
live node sees every live node alive; false positives: the JSON's
false_positives, nothing exempt). Results go to bench/results/NAME.md
and .json.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
TABLE = (
    [f"split:{n}:{d}@20" for n in (32, 128) for d in (10, 30, 90, 600)] +
    [f"split:1000:{d}@5" for d in (10, 30, 90, 600)] +
    [f"split:10000:{d}@2" for d in (10, 30, 90, 600)] +
    [f"loss:{n}:{p}:600@{5 if n < 1000 else 2}"
     for n in (32, 128, 1000) for p in (10, 20)] +
    ["flaky:1000:80:300@2", "flaky:128:80:300@5",
     "oneway:128:30@5", "oneway:1000:30@2",
     "crashsplit:1000@5", "crash:32@20", "crash:128@20"])


def scenario(kind, a):
    n = int(a[0])
    h = n // 2
    if kind == "split":
        d = float(a[1])
        return n, (f"at 30s partition 0-{h-1} / {h}-{n-1}\n"
                   f"at {30+d}s heal\n"), 30 + d + 60
    if kind == "oneway":
        d = float(a[1])
        return n, (f"at 30s partition 0-{h-1} -> {h}-{n-1}\n"
                   f"at {30+d}s heal\n"), 30 + d + 60
    if kind == "loss":
        p, d = a[1], float(a[2])
        return n, f"at 30s loss {p}%\nat {30+d}s loss 0%\n", 30 + d + 60
    if kind == "flaky":
        p, d = a[1], float(a[2])
        k = max(1, n // 100)
        nodes = ",".join(str(1 + i * (n // k)) for i in range(k))
        return n, (f"at 30s loss {p}% to {nodes}\n"
                   f"at {30+d}s loss 0% to {nodes}\n"), 30 + d + 60
    if kind == "crashsplit":
        return n, ("at 30s crash 17\n"
                   f"at 40s partition 0-{h-1} / {h}-{n-1}\n"
                   "at 70s heal\n"), 190
    if kind == "crash":
        return n, "at 20s crash 17\n", 60
    raise SystemExit(f"run-accuracy: unknown case kind {kind}")


def run(sim, case, seed, extra):
    kind, *a = case.split(":")
    n, scn, dur = scenario(kind, a)
    with tempfile.TemporaryDirectory() as t:
        sf, jf = os.path.join(t, "s.scn"), os.path.join(t, "o.json")
        with open(sf, "w") as f:
            f.write(scn)
        start = "warm" if n >= 1000 else "cold"
        cmd = [sim, "--nodes", str(n), "--seed", str(seed), "--duration",
               f"{dur}s", "--scenario", sf, "--json", jf, "--start", start,
               "--no-check"] + extra
        t0 = time.monotonic()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        with open(jf) as f:
            d = json.load(f)
        d["_wall_s"] = time.monotonic() - t0
        return d


def summarize(case, seeds, res):
    heals, fps, straddles, flaps, flaky, det = [], [], [], [], [], []
    for d in res:
        for h in d["heals"]:
            c = h["converged_at_s"]
            heals.append(None if c is None else c - h["healed_at_s"])
        fps.append(d["false_positives"])
        straddles.append(d.get("false_positives_straddling_heal", 0))
        flaps.append(d.get("view_flaps", 0))
        flaky.append(d.get("flaky_verdicts", 0))
        for f in d["failures"]:
            a = f["all_detect_s"]
            det.append(None if a is None else a - f["crashed_at_s"])
    row = {"case": case, "seeds": seeds,
           "false_positives_max": max(fps), "false_positives_total":
           sum(fps), "straddling_heal_total": sum(straddles),
           "view_flaps_max": max(flaps), "flaky_verdicts_max": max(flaky),
           "wall_s_max": round(max(d["_wall_s"] for d in res), 1)}
    if heals:
        hv = [h for h in heals if h is not None]
        row["heal_never"] = len(heals) - len(hv)
        row["heal_max_s"] = round(max(hv), 2) if hv else None
        row["heal_median_s"] = round(statistics.median(hv), 2) if hv else None
    if det:
        dv = [x for x in det if x is not None]
        row["undetected"] = len(det) - len(dv)
        row["detect_median_s"] = round(statistics.median(dv), 2) if dv else None
        row["detect_max_s"] = round(max(dv), 2) if dv else None
    return row


def main():
    args = sys.argv[1:]
    sim = os.path.join(ROOT, "build", "rumor-sim")
    jobs, out, extra, cases = 2, "accuracy", [], []
    while args:
        a = args.pop(0)
        if a == "--sim":
            sim = args.pop(0)
        elif a == "--jobs":
            jobs = int(args.pop(0))
        elif a == "--out":
            out = args.pop(0)
        elif a == "--table":
            cases += TABLE
        elif a == "--":
            extra = args
            args = []
        else:
            cases.append(a)
    if not cases:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    rows = []
    for c in cases:
        case, _, s = c.partition("@")
        seeds = int(s) if s else 5
        with ThreadPoolExecutor(jobs) as ex:
            res = list(ex.map(lambda k: run(sim, case, k, extra),
                              range(1, seeds + 1)))
        row = summarize(case, seeds, res)
        rows.append(row)
        print(json.dumps(row), flush=True)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    base = os.path.join(ROOT, "bench", "results", out)
    with open(base + ".json", "w") as f:
        json.dump({"sim": sim, "extra": extra, "rows": rows}, f, indent=1)
    keys = ["case", "seeds", "heal_max_s", "heal_median_s", "heal_never",
            "false_positives_max", "straddling_heal_total",
            "view_flaps_max", "flaky_verdicts_max", "detect_median_s",
            "detect_max_s", "wall_s_max"]
    with open(base + ".md", "w") as f:
        f.write("| " + " | ".join(keys) + " |\n")
        f.write("|" + "---|" * len(keys) + "\n")
        for r in rows:
            f.write("| " + " | ".join(str(r.get(k, "")) for k in keys) +
                    " |\n")


main()
