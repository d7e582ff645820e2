#!/usr/bin/env python3
"""Cold starts and steady state at scale in rumor-sim (issue "Scale", 2, 3).

Usage: bench/run-scale-sim.py [--sim PATH] [--before PATH] [--seeds K]
                              [--cold N,N,...] [--before-max N]
                              [--warm N,N,...] [--out NAME]

Cold: `rumor-sim --start cold --nodes N --duration 60s --no-check --json`
for each N and seed: converged_at_s (every view complete), what the join
cost until then (datagrams + push-pull streams per node, and their bytes:
the JSON's join_cost), wall time and peak RSS. --before runs the same with
another build (e.g. main) up to --before-max nodes (its joins cost O(N^2)).
Warm: `--start warm --duration 120s`, the steady state: messages and bytes
per node per second, push-pull streams included (the JSON's after_join),
and memory per node. The figures quoted are the worst over the seeds.
Writes bench/results/NAME.json and .md and docs/scale-join.svg (messages
per node during the join against N). One run at a time (one core each).
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))


def run(sim, args):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        timing = os.path.join(tmp, "t")
        subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", "-o", timing, sim] +
                       args + ["--no-check", "--json", out],
                       stdout=subprocess.DEVNULL, check=True)
        with open(out) as f:
            d = json.load(f)
        with open(timing) as f:
            wall, rss_kb, user, sys_ = f.read().split()[-4:]
    d["time_wall_s"] = float(wall)
    d["time_cpu_s"] = round(float(user) + float(sys_), 2)
    d["time_max_rss_mib"] = int(rss_kb) / 1024
    return d


def cold(sim, n, seed):
    d = run(sim, ["--start", "cold", "--nodes", str(n), "--seed", str(seed),
                  "--duration", "60s"])
    j = d.get("join_cost") or {}
    return {"n": n, "seed": seed, "converged_at_s": d["converged_at_s"],
            "join_messages_per_node": j.get("messages_per_node"),
            "join_bytes_per_node": j.get("bytes_per_node"),
            "join_streams": j.get("streams"),
            "datagrams_60s": d["datagrams"], "streams_60s": d["streams"],
            "wall_s": d["time_wall_s"], "cpu_s": d["time_cpu_s"],
            "max_rss_mib": d["time_max_rss_mib"],
            "false_positives": d["false_positives"]}


def warm(sim, n, seed):
    d = run(sim, ["--start", "warm", "--nodes", str(n), "--seed", str(seed),
                  "--duration", "120s"])
    a = d.get("after_join") or {}
    return {"n": n, "seed": seed,
            "messages_per_node_per_s": a.get("messages_per_node_per_s"),
            "bytes_per_node_per_s": a.get("bytes_per_node_per_s"),
            "streams_per_node_per_s": a.get("streams_per_node_per_s"),
            "memory_per_node_bytes": d["memory_per_node_bytes"],
            "bytes_per_node_member": d["bytes_per_node_member"],
            "wall_s": d["time_wall_s"], "cpu_s": d["time_cpu_s"],
            "max_rss_mib": d["time_max_rss_mib"],
            "false_positives": d["false_positives"]}


def worst(rows, key, low=False):
    vals = [r[key] for r in rows if r[key] is not None]
    if not vals:
        return None
    return min(vals) if low else max(vals)


def svg(series, path):
    """messages per node during the join against N, one line a build."""
    w, h, ml, mr, mt, mb = 640, 360, 60, 20, 30, 50
    xs = sorted({n for _, pts in series for n, _ in pts})
    ymax = max(v for _, pts in series for _, v in pts) * 1.1
    xmin, xmax = min(xs), max(xs)

    def px(n):
        if xmax == xmin:
            return ml
        return ml + (n - xmin) / (xmax - xmin) * (w - ml - mr)

    def py(v):
        return h - mb - v / ymax * (h - mt - mb)
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
         f'font-family="sans-serif" font-size="12">',
         f'<rect width="{w}" height="{h}" fill="white"/>',
         f'<text x="{w / 2}" y="18" text-anchor="middle">rumor-sim --start '
         f'cold: messages per node until every view is complete</text>',
         f'<line x1="{ml}" y1="{h - mb}" x2="{w - mr}" y2="{h - mb}" '
         f'stroke="black"/>',
         f'<line x1="{ml}" y1="{mt}" x2="{ml}" y2="{h - mb}" stroke="black"/>',
         f'<text x="{w / 2}" y="{h - 12}" text-anchor="middle">nodes '
         f'(N)</text>']
    for n in xs:
        o.append(f'<text x="{px(n):.0f}" y="{h - mb + 16}" '
                 f'text-anchor="middle">{n}</text>')
    for k in range(6):
        v = ymax * k / 5
        o.append(f'<text x="{ml - 6}" y="{py(v) + 4:.0f}" text-anchor="end">'
                 f'{v:.0f}</text>')
        o.append(f'<line x1="{ml}" y1="{py(v):.0f}" x2="{w - mr}" '
                 f'y2="{py(v):.0f}" stroke="#ddd"/>')
    colors = ["#1f77b4", "#d62728", "#2ca02c"]
    for i, (name, pts) in enumerate(series):
        c = colors[i % len(colors)]
        d = " ".join(f"{px(n):.1f},{py(v):.1f}" for n, v in sorted(pts))
        o.append(f'<polyline points="{d}" fill="none" stroke="{c}" '
                 f'stroke-width="2"/>')
        for n, v in pts:
            o.append(f'<circle cx="{px(n):.1f}" cy="{py(v):.1f}" r="3" '
                     f'fill="{c}"/>')
        o.append(f'<text x="{ml + 10}" y="{mt + 16 + 16 * i}" fill="{c}">'
                 f'{name}</text>')
    o.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(o) + "\n")


def main(args):
    sim = os.path.join(ROOT, "build", "rumor-sim")
    before, seeds, out = None, 2, "scale-sim"
    cold_ns, warm_ns, before_max = [1000, 2000, 5000], [32, 1000, 10000], 2000
    while args:
        a = args.pop(0)
        if a == "--sim":
            sim = args.pop(0)
        elif a == "--before":
            before = args.pop(0)
        elif a == "--before-max":
            before_max = int(args.pop(0))
        elif a == "--seeds":
            seeds = int(args.pop(0))
        elif a == "--cold":
            cold_ns = [int(x) for x in args.pop(0).split(",") if x]
        elif a == "--warm":
            warm_ns = [int(x) for x in args.pop(0).split(",") if x]
        elif a == "--out":
            out = args.pop(0)
        else:
            sys.exit(f"run-scale-sim: unknown argument {a!r} (see --help)"
                     if a not in ("-h", "--help") else __doc__)
    res = {"sim": sim, "before": before, "seeds": seeds,
           "cold": [], "cold_before": [], "warm": []}
    builds = [("after", sim, res["cold"])]
    if before:
        builds.append(("before", before, res["cold_before"]))
    for n in cold_ns:
        for name, path, rows in builds:
            if name == "before" and n > before_max:
                continue
            for s in range(1, seeds + 1):
                r = cold(path, n, s)
                print(f"cold {name} N={n} seed={s}: {r}", file=sys.stderr)
                rows.append(r)
    for n in warm_ns:
        for s in range(1, seeds + 1):
            r = warm(sim, n, s)
            print(f"warm N={n} seed={s}: {r}", file=sys.stderr)
            res["warm"].append(r)
    base = os.path.join(ROOT, "bench", "results", out)
    with open(base + ".json", "w") as f:
        json.dump(res, f, indent=1)
    md = ["# " + out, "", "Command: `bench/run-scale-sim.py " +
          " ".join(sys.argv[1:]) + "`", "",
          f"Worst over {seeds} seeds. Machine: 2 cores shared with other "
          "jobs (wall times vary with their load; CPU is user + system "
          "time of the one simulator process).", "",
          "## Cold start, 60 s virtual", "",
          "| build | N | converged (s) | messages/node in join | "
          "bytes/node in join | wall (s) | CPU (s) | max RSS (MiB) |",
          "|---|---|---|---|---|---|---|---|"]
    series = []
    for name, _, rows in builds:
        pts = []
        for n in cold_ns:
            rs = [r for r in rows if r["n"] == n]
            if not rs:
                continue
            conv = (None if any(r["converged_at_s"] is None for r in rs)
                    else worst(rs, "converged_at_s"))
            msg = worst(rs, "join_messages_per_node")
            byt = worst(rs, "join_bytes_per_node")
            md.append(f"| {name} | {n} | {conv if conv is not None else 'never'}"
                      f" | {msg if msg is not None else '-'} | "
                      f"{byt if byt is not None else '-'} | "
                      f"{worst(rs, 'wall_s')} | {worst(rs, 'cpu_s')} | "
                      f"{worst(rs, 'max_rss_mib'):.0f} |")
            if msg is not None:
                pts.append((n, msg))
        if pts:
            series.append((f"{name}: {os.path.basename(_path(builds, name))}",
                           pts))
    md += ["", "## Steady state (warm, 120 s virtual, push-pull included)", "",
           "| N | messages/node/s | bytes/node/s | streams/node/s | "
           "memory/node (B) | B per (node, member) | wall (s) | CPU (s) |",
           "|---|---|---|---|---|---|---|---|"]
    for n in warm_ns:
        rs = [r for r in res["warm"] if r["n"] == n]
        md.append(f"| {n} | {worst(rs, 'messages_per_node_per_s')} | "
                  f"{worst(rs, 'bytes_per_node_per_s')} | "
                  f"{worst(rs, 'streams_per_node_per_s')} | "
                  f"{worst(rs, 'memory_per_node_bytes')} | "
                  f"{worst(rs, 'bytes_per_node_member')} | "
                  f"{worst(rs, 'wall_s')} | {worst(rs, 'cpu_s')} |")
    with open(base + ".md", "w") as f:
        f.write("\n".join(md) + "\n")
    if series:
        svg(series, os.path.join(ROOT, "docs", "scale-join.svg"))
    print("\n".join(md))


def _path(builds, name):
    return next(p for n, p, _ in builds if n == name)


if __name__ == "__main__":
    main(sys.argv[1:])
