#!/usr/bin/env bash
# Simulator scale and partition-heal benchmark (rumor-sim, one core).
#   bench/run-sim.sh [N...]          default: 1000 2000 5000 10000
# For each N: a warm cluster (already up, --start warm) for 60 s of
# virtual time, and for N <= 2000 a cold start (everyone joins through n0
# within 1 s); wall time, virtual/wall ratio, peak RSS and memory per
# simulated node, taken with /usr/bin/time. Then a partition-and-heal
# scenario at 1,000 nodes with rumor's reconnect interval (10 s) and
# Serf's (30 s). Writes bench/results/sim-scale.json and sim-scale.md.
# REPEAT=K runs each warm cluster K times and reports the median wall time
# with the fastest and slowest (this VM's first-touch page faults make
# the large runs vary). Needs about 6 GB of free memory at 10,000 nodes
# (N^2 member records).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 2000 5000 10000)
.ci/deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target rumor-sim >/dev/null
out=$PWD/bench/results
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

repeat=${REPEAT:-1}
run() { # run NAME rumor-sim-args...; repeats leave NAME.time.2, .3, ...
	local name=$1; shift
	echo "== rumor-sim $*" >&2
	/usr/bin/time -f '%e %M %U %S' -o "$tmp/$name.time" \
		build/rumor-sim "$@" --json "$tmp/$name.json" >"$tmp/$name.out"
	cat "$tmp/$name.out" >&2
}

for n in "${sizes[@]}"; do
	run "warm-$n" --nodes "$n" --seed 1 --duration 60s --start warm --no-check
	for ((k = 2; k <= repeat; k++)); do
		/usr/bin/time -f '%e %M %U %S' -o "$tmp/warm-$n.time.$k" \
			build/rumor-sim --nodes "$n" --seed 1 --duration 60s \
			--start warm --no-check | grep 'wall time' >&2
	done
	if [ "$n" -le 2000 ]; then
		run "cold-$n" --nodes "$n" --seed 1 --duration 60s --no-check
	fi
done
cat >"$tmp/split.scn" <<'SCN'
at 30s partition 0-499 / 500-999
at 90s heal
SCN
for r in 10s 30s; do
	run "heal-$r" --nodes 1000 --seed 1 --duration 180s --start warm \
		--no-check --scenario "$tmp/split.scn" --reconnect-interval "$r"
done

python3 - "$tmp" "$out" <<'PY'
import glob, json, os, sys
tmp, out = sys.argv[1:]
rows = []
def order(path):
    kind, n = os.path.basename(path)[:-5].split("-")
    return (kind, int(n.rstrip("s")))
for path in sorted(glob.glob(os.path.join(tmp, "*.json")), key=order):
    name = os.path.basename(path)[:-5]
    j = json.load(open(path))
    times = [open(t).read().split() for t in
             sorted(glob.glob(os.path.join(tmp, name + ".time*")))]
    walls = [float(t[0]) for t in times]  # in the order run
    wall = sorted(walls)[len(walls) // 2]
    rss_kb = max(int(t[1]) for t in times)
    row = {
        "run": name, "nodes": j["nodes"], "start": j["start"],
        "virtual_s": j["duration_s"], "wall_s": wall,
        "virtual_per_wall": round(j["duration_s"] / wall, 2),
        "wall_runs_s": walls,  # with user_s and system_s, run by run
        "user_s": [float(t[2]) for t in times],
        "system_s": [float(t[3]) for t in times],
        "peak_rss_mib": round(int(rss_kb) / 1024, 1),
        "bytes_per_node": int(int(rss_kb) * 1024 / j["nodes"]),
        "events": j["events"], "converged_at_s": j["converged_at_s"],
        "messages_per_node_per_s": j["messages_per_node_per_s"],
        "bytes_per_node_per_s": j["bytes_per_node_per_s"],
        "false_positives": j["false_positives"],
        "reconnect_interval_ms": j["config"]["reconnect_interval_ms"],
        "heals": j["heals"],
    }
    rows.append(row)
json.dump(rows, open(os.path.join(out, "sim-scale.json"), "w"), indent=1)
with open(os.path.join(out, "sim-scale.md"), "w") as f:
    f.write("| run | nodes | start | virtual s | wall s | virtual/wall | "
            "peak RSS MiB | bytes/node | converged s | msgs/node/s | "
            "bytes/node/s |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        if r["run"].startswith("heal"):
            continue
        w = r["wall_runs_s"]
        wall = "{:.1f}".format(r["wall_s"])
        if len(w) > 1:
            wall += " ({:.1f}-{:.1f}, {} runs)".format(min(w), max(w), len(w))
        f.write("| {run} | {nodes} | {start} | {virtual_s:.0f} | {wall} | "
                "{virtual_per_wall} | {peak_rss_mib} | {bytes_per_node} | "
                "{converged_at_s} | {messages_per_node_per_s} | "
                "{bytes_per_node_per_s} |\n".format(wall=wall, **r))
    f.write("\nPartition 0-499 / 500-999 of a warm 1,000-node cluster at "
            "30 s, healed at 90 s:\n\n| reconnect interval | healed at s | "
            "every view whole again at s | heal time s |\n|---|---|---|---|\n")
    for r in rows:
        if not r["run"].startswith("heal"):
            continue
        for h in r["heals"]:
            c = h["converged_at_s"]
            f.write("| {} s | {} | {} | {} |\n".format(
                r["reconnect_interval_ms"] // 1000, h["healed_at_s"], c,
                None if c is None else round(c - h["healed_at_s"], 2)))
print(open(os.path.join(out, "sim-scale.md")).read())
PY
