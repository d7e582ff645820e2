#!/usr/bin/env python3
"""The detection trade-off, swept in rumor-sim: for each suspicion timing,
how fast a crash is seen by every survivor (N = 32, 20 seeds) against how
many suspicions and false failures 20 % loss causes (N = 32 and 128, 5
minutes, 5 seeds each). Writes bench/results/detection-sweep.json and the
chart docs/detection-tradeoff.svg.

Usage: bench/sweep-detection.py [--sim PATH] [--jobs J] [--quick]
       bench/sweep-detection.py --chart   the chart again from the JSON
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))

# (label, flags). rumor's defaults are the final check and the probe ring
# on; memberlist's LAN timings are suspicion mult 4, max mult 6, and
# neither mechanism.
POINTS = [(f"mult {m}", ["--suspicion-mult", str(m)]) for m in (1, 2, 3, 4, 6)]
POINTS += [(f"mult {m}, no final check", ["--suspicion-mult", str(m),
                                          "--no-final-check"])
           for m in (1, 2, 4)]
POINTS += [("memberlist LAN", ["--suspicion-mult", "4",
                               "--suspicion-max-mult", "6",
                               "--no-final-check", "--no-probe-ring"])]


def sim_run(sim, n, seed, dur, scn, flags):
    with tempfile.TemporaryDirectory() as t:
        sf, jf, tf = (os.path.join(t, x) for x in ("s.scn", "o.json",
                                                   "t.txt"))
        with open(sf, "w") as f:
            f.write(scn)
        subprocess.run([sim, "--nodes", str(n), "--seed", str(seed),
                        "--duration", f"{dur}s", "--scenario", sf,
                        "--json", jf, "--trace", tf, "--no-check"] + flags,
                       stdout=subprocess.DEVNULL, check=True)
        with open(jf) as f:
            d = json.load(f)
        # Suspicions of running nodes: every observer's move to suspect.
        with open(tf) as f:
            d["_suspicions"] = sum(1 for line in f
                                   if line.rstrip().endswith(" suspect"))
        return d


def point(sim, jobs, flags, quick):
    crash_seeds = range(1, 6 if quick else 21)
    loss_seeds = range(1, 3 if quick else 6)
    loss_s = 60 if quick else 300
    jobs_list = [("crash", 32, s, 60, "at 20s crash 17\n") for s in
                 crash_seeds]
    jobs_list += [("loss", n, s, 30 + loss_s + 30,
                   f"at 30s loss 20%\nat {30 + loss_s}s loss 0%\n")
                  for n in (32, 128) for s in loss_seeds]
    with ThreadPoolExecutor(jobs) as ex:
        res = list(ex.map(lambda j: (j, sim_run(sim, j[1], j[2], j[3],
                                                j[4], flags)), jobs_list))
    det = [d["failures"][0]["all_detect_s"] - 20 for j, d in res
           if j[0] == "crash" and d["failures"][0]["all_detect_s"]]
    loss = [(j[1], d) for j, d in res if j[0] == "loss"]
    minutes = loss_s / 60
    return {
        "detect_median_s": round(statistics.median(det), 2),
        "detect_max_s": round(max(det), 2),
        "suspicions_per_node_min_max": round(max(
            d["nodes_at_end"]["suspicions"] / n / minutes
            for n, d in loss), 2),
        "final_checks_per_node_min_max": round(max(
            d["nodes_at_end"]["final_checks"] / n / minutes
            for n, d in loss), 2),
        "false_failures_max": max(d["false_positives"] for _, d in loss),
    }


def svg(rows, path):
    """Two panels over one x axis (crash seen by every survivor, s):
    false failures under 20 % loss (worst run), and final checks per node
    per minute (worst run), the price of short timeouts."""
    w, ph, m, gap = 680, 200, 70, 40
    h = 2 * ph + gap + 2 * m
    xs = [r["detect_max_s"] for r in rows]
    x1 = max(xs) * 1.1

    def X(v):
        return m + v / x1 * (w - 2 * m)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" '
           f'height="{h}" font-family="sans-serif" font-size="11">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w/2}" y="20" text-anchor="middle" font-size="14">'
           'Crash detection at N = 32 against the cost of 20 % loss '
           '(N = 32 and 128)</text>']
    panels = [("false_failures_max", "false failures (worst run)"),
              ("final_checks_per_node_min_max",
               "final checks per node per min")]
    for k, (key, title) in enumerate(panels):
        top = m + k * (ph + gap)
        ymax = max(max(r[key] for r in rows) * 1.2, 1)

        def Y(v):
            return top + ph - v / ymax * ph
        out.append(f'<line x1="{m}" y1="{top + ph}" x2="{w - m}" '
                   f'y2="{top + ph}" stroke="black"/>')
        out.append(f'<line x1="{m}" y1="{top}" x2="{m}" y2="{top + ph}" '
                   'stroke="black"/>')
        out.append(f'<text x="{m - 8}" y="{top + 4}" text-anchor="end">'
                   f'{ymax:.0f}</text>')
        out.append(f'<text x="{m - 8}" y="{top + ph}" text-anchor="end">'
                   '0</text>')
        out.append(f'<text x="{m}" y="{top - 8}">{title}</text>')
        for t in range(0, int(x1) + 1):
            out.append(f'<text x="{X(t)}" y="{top + ph + 14}" '
                       f'text-anchor="middle">{t}</text>')
        for r in rows:
            y = Y(r[key])
            mine = r["label"] == "mult 1"
            ml = r["label"].startswith("memberlist")
            unchecked = "no final check" in r["label"]
            color = ("#c00" if mine else "#06c" if ml else
                     "#999" if unchecked else "#333")
            out.append(f'<line x1="{X(r["detect_median_s"])}" y1="{y}" '
                       f'x2="{X(r["detect_max_s"])}" y2="{y}" '
                       f'stroke="{color}" stroke-width="2"/>')
            out.append(f'<circle cx="{X(r["detect_median_s"])}" cy="{y}" '
                       f'r="4" fill="{color}"/>')
            label = r["label"] + (" (rumor default)" if mine else "")
            out.append(f'<text x="{X(r["detect_max_s"]) + 6}" y="{y + 4}" '
                       f'fill="{color}">{label}</text>')
    out.append(f'<text x="{w/2}" y="{h - 16}" text-anchor="middle">every '
               'survivor sees the crash, s (dot: median of the seeds; bar '
               'to the worst)</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    args = sys.argv[1:]
    sim = os.path.join(ROOT, "build", "rumor-sim")
    jobs, quick = 2, False
    while args:
        a = args.pop(0)
        if a == "--sim":
            sim = args.pop(0)
        elif a == "--jobs":
            jobs = int(args.pop(0))
        elif a == "--quick":
            quick = True
        elif a == "--chart":
            with open(os.path.join(ROOT, "bench", "results",
                                   "detection-sweep.json")) as f:
                rows = json.load(f)["rows"]
            svg(rows, os.path.join(ROOT, "docs", "detection-tradeoff.svg"))
            return
        else:
            print(__doc__, file=sys.stderr)
            sys.exit(2)
    rows = []
    for label, flags in POINTS:
        r = {"label": label, "flags": flags, **point(sim, jobs, flags,
                                                      quick)}
        rows.append(r)
        print(json.dumps(r), flush=True)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results",
                           "detection-sweep.json"), "w") as f:
        json.dump({"quick": quick, "rows": rows}, f, indent=1)
    svg(rows, os.path.join(ROOT, "docs", "detection-tradeoff.svg"))


main()
