#!/usr/bin/env bash
# Lookups over the local API, rumor vs Serf in the same run.
#   bench/run-lookup.sh [AGENTS] [SERVICES_PER_AGENT] [SECONDS]
# AGENTS rumor agents (default 32) each register SERVICES_PER_AGENT
# instances of "web" (default 6: what one node's announcement holds) and
# AGENTS Serf agents carry the tag role=web; then bench-lookup asks agent
# 0 of each for all web instances for SECONDS (default 10), with 1 client
# and with 4 concurrent clients. Everything on 127.0.0.1, every process
# stopped by PID. Writes bench/results/lookup-N<AGENTS>-S<PER>.json, .md.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-32}; per=${2:-6}; secs=${3:-10}
.ci/deps --bench >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target rumor bench-lookup >/dev/null
work=$(mktemp -d /tmp/rumor-lookup.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
base=$((20000 + RANDOM % 20000))

echo "== $n rumor agents x $per web instances" >&2
for i in $(seq 0 $((n - 1))); do
	join=(); [ "$i" -gt 0 ] && join=(--join "127.0.0.1:$base")
	build/rumor agent --name "r$i" --bind "127.0.0.1:$((base + i))" \
		--socket "$work/r$i.sock" --no-encrypt "${join[@]}" \
		>"$work/r$i.log" 2>&1 &
	pids+=($!)
	[ "$i" -eq 0 ] && sleep 1
done
sleep 2
for i in $(seq 0 $((n - 1))); do
	for k in $(seq 1 "$per"); do
		build/rumor register web --id "web-$k" --port $((8000 + k)) \
			--socket "$work/r$i.sock" >/dev/null
	done
done
want=$((n * per))
for _ in $(seq 100); do
	got=$(build/rumor lookup web --json --socket "$work/r0.sock" |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	[ "$got" = "$want" ] && break
	sleep 0.2
done
echo "   agent 0 sees $got of $want instances" >&2
build/bench-lookup rumor "$work/r0.sock" web "$secs" >"$work/rumor-1.json"
for c in 1 2 3 4; do
	build/bench-lookup rumor "$work/r0.sock" web "$secs" >"$work/rumor-4-$c.json" &
done
wait $(jobs -p | grep -v -F "$(printf '%s\n' "${pids[@]}")") 2>/dev/null || true

echo "== $n Serf agents tagged role=web" >&2
sbase=$((base + 1000))
for i in $(seq 0 $((n - 1))); do
	join=(); [ "$i" -gt 0 ] && join=(-join "127.0.0.1:$sbase")
	serf agent -node "s$i" -bind "127.0.0.1:$((sbase + i))" \
		-rpc-addr "127.0.0.1:$((sbase + 500 + i))" -tag role=web \
		"${join[@]}" >"$work/s$i.log" 2>&1 &
	pids+=($!)
	# Serf's -join does not retry: the seed must be up first.
	[ "$i" -eq 0 ] && sleep 1
done
for _ in $(seq 300); do
	got=$(serf members -rpc-addr "127.0.0.1:$((sbase + 500))" -tag role=web \
		-status alive 2>/dev/null | wc -l)
	[ "$got" = "$n" ] && break
	sleep 0.2
done
echo "   agent 0 sees $got of $n members" >&2
build/bench-lookup serf "127.0.0.1:$((sbase + 500))" role=web "$secs" >"$work/serf-1.json"
for c in 1 2 3 4; do
	build/bench-lookup serf "127.0.0.1:$((sbase + 500))" role=web "$secs" \
		>"$work/serf-4-$c.json" &
done
sleep $((secs + 2))

python3 - "$work" "$n" "$per" "$secs" <<'PY'
import glob, json, os, sys
work, n, per, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def load(p): return json.load(open(p))
res = {}
for sysname in ("rumor", "serf"):
    one = load(os.path.join(work, sysname + "-1.json"))
    four = [load(p) for p in sorted(glob.glob(os.path.join(work, sysname + "-4-*.json")))]
    res[sysname] = {"one_client": one,
                    "four_clients": {"per_s": sum(f["per_s"] for f in four),
                                     "p99_us_worst": max(f["p99_us"] for f in four),
                                     "p50_us": sorted(f["p50_us"] for f in four)[2]}}
res["agents"] = n; res["instances_per_agent_rumor"] = per; res["seconds"] = secs
out = os.path.join("bench", "results", "lookup-N%d-S%d.json" % (n, per))
json.dump(res, open(out, "w"), indent=1)
r, s = res["rumor"], res["serf"]
md = ["| | rumor (%d instances) | Serf (%d members) | ratio |" % (r["one_client"]["instances"], s["one_client"]["instances"]),
      "|---|---|---|---|"]
def row(name, a, b, fmt="%.0f"):
    md.append("| %s | %s | %s | %.2f |" % (name, fmt % a, fmt % b, a / b if b else 0))
row("1 client: lookups/s", r["one_client"]["per_s"], s["one_client"]["per_s"])
row("1 client: p50 us", r["one_client"]["p50_us"], s["one_client"]["p50_us"], "%.1f")
row("1 client: p99 us", r["one_client"]["p99_us"], s["one_client"]["p99_us"], "%.1f")
row("4 clients: lookups/s (sum)", r["four_clients"]["per_s"], s["four_clients"]["per_s"])
row("4 clients: p99 us (worst)", r["four_clients"]["p99_us_worst"], s["four_clients"]["p99_us_worst"], "%.1f")
open(os.path.join("bench", "results", "lookup-N%d-S%d.md" % (n, per)), "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
