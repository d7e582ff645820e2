#!/usr/bin/env bash
# Lookups over the local API, rumor vs Serf in the same run.
#   bench/run-lookup.sh [AGENTS] [SERVICES] [SECONDS] [CLIENTS...]
# AGENTS rumor agents (default 10) each register one instance of each of
# SERVICES services svc-0 .. svc-<SERVICES-1> (default 100), so the
# cluster holds AGENTS x SERVICES instances (1,000 by default; a node's
# 100 services travel as a large set, in push-pulls) and a lookup of one
# service answers AGENTS instances. AGENTS Serf agents carry the tag
# role=web, so Serf's nearest equivalent (RPC members-filtered, what
# `serf members -tag role=web` sends) answers AGENTS members. Then
# bench-lookup asks agent 0 of each for SECONDS (default 10) with each
# number of concurrent clients in CLIENTS (default 1 4 8), each sending
# one request and waiting for its answer; rumor's clients walk through
# all the service names. Then one client pipelines: DEPTH requests
# (default 32, env DEPTH) in one write, then their answers, the
# server's capacity rather than one caller's latency; latency there is
# per batch. With PIN=1 agent 0 of each system and every client run on
# CPU 0 (taskset): a request then never waits for an idle core to wake,
# which on this VM moved a lone client's median round trip from 24 to
# 105 us (docs/benchmarks.md). Everything on 127.0.0.1,
# every process stopped by PID. Writes bench/results/lookup-A<AGENTS>-
# S<SERVICES>[-pinned][-d<DEPTH>].json and .md (-d only when not 32).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}; services=${2:-100}; secs=${3:-10}; depth=${DEPTH:-32}
pin=(); [ "${PIN:-0}" = 1 ] && pin=(taskset -c 0)
shift $(($# < 3 ? $# : 3))
clients=("$@")
[ ${#clients[@]} -gt 0 ] || clients=(1 4 8)
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

# clients SYSTEM ADDR NAME EXTRA...: one bench-lookup per client at once.
run_clients() {
	local sys=$1 addr=$2 name=$3; shift 3
	local c k cpids
	for c in "${clients[@]}"; do
		cpids=()
		for k in $(seq 1 "$c"); do
			"${pin[@]}" build/bench-lookup "$sys" "$addr" "$name" \
				"$secs" "$@" >"$work/$sys-$c-$k.json" &
			cpids+=($!)
		done
		wait "${cpids[@]}"
	done
}

want=$((n * services))
echo "== $n rumor agents x $services services ($want instances)" >&2
for i in $(seq 0 $((n - 1))); do
	join=(); [ "$i" -gt 0 ] && join=(--join "127.0.0.1:$base")
	build/rumor agent --name "r$i" --bind "127.0.0.1:$((base + i))" \
		--socket "$work/r$i.sock" --no-encrypt "${join[@]}" \
		>"$work/r$i.log" 2>&1 &
	pids+=($!)
	[ "$i" -eq 0 ] && sleep 1
done
for i in $(seq 0 $((n - 1))); do
	for _ in $(seq 50); do [ -S "$work/r$i.sock" ] && break; sleep 0.1; done
	[ -S "$work/r$i.sock" ] || { echo "run-lookup: agent r$i did not start:" >&2
		cat "$work/r$i.log" >&2; exit 1; }
done
for i in $(seq 0 $((n - 1))); do
	for k in $(seq 0 $((services - 1))); do
		build/rumor register "svc-$k" --port $((8000 + i)) \
			--socket "$work/r$i.sock" >/dev/null
	done
done
got=0
for _ in $(seq 300); do
	got=$(build/rumor services --json --socket "$work/r0.sock" |
		python3 -c 'import json,sys; print(sum(s["healthy"] for s in json.load(sys.stdin)))')
	[ "$got" = "$want" ] && break
	sleep 0.2
done
echo "   agent 0 sees $got of $want instances" >&2
[ "$got" = "$want" ] || { echo "run-lookup: the catalog did not converge" >&2; exit 1; }
[ ${#pin[@]} -gt 0 ] && taskset -pc 0 "${pids[0]}" >/dev/null
run_clients rumor "$work/r0.sock" svc "$services"
"${pin[@]}" build/bench-lookup rumor-pipelined "$work/r0.sock" svc "$secs" \
	"$services" "$depth" >"$work/rumor-pipelined.json"
build/rumor stats --socket "$work/r0.sock" >"$work/rumor-stats.txt"

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
[ ${#pin[@]} -gt 0 ] && taskset -pc 0 "${pids[$n]}" >/dev/null
run_clients serf "127.0.0.1:$((sbase + 500))" role=web
"${pin[@]}" build/bench-lookup serf-pipelined "127.0.0.1:$((sbase + 500))" \
	role=web "$secs" "$depth" >"$work/serf-pipelined.json"

python3 - "$work" "$n" "$services" "$secs" "${PIN:-0}" "${clients[@]}" <<'PY'
import glob, json, os, sys
work, n, services, secs, pin = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5] == "1"
clients = [int(c) for c in sys.argv[6:]]
res = {"agents": n, "services": services, "instances": n * services,
       "seconds": float(secs), "pinned": pin, "runs": []}
md = ["| clients | rumor lookups/s | Serf lookups/s | ratio | rumor p50 µs | Serf p50 µs | rumor p99 µs | Serf p99 µs | p99 ratio |",
      "|---|---|---|---|---|---|---|---|---|"]
for c in clients:
    row = {"clients": c}
    for sysname in ("rumor", "serf"):
        runs = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(work, "%s-%d-*.json" % (sysname, c))))]
        row[sysname] = {"per_s": sum(r["per_s"] for r in runs),
                        "p50_us": sorted(r["p50_us"] for r in runs)[len(runs) // 2],
                        "p99_us": max(r["p99_us"] for r in runs),
                        "answer": runs[0]["instances"]}
    res["runs"].append(row)
    r, s = row["rumor"], row["serf"]
    md.append("| %d | %.0f | %.0f | %.2f | %.1f | %.1f | %.1f | %.1f | %.2f |" % (
        c, r["per_s"], s["per_s"], r["per_s"] / s["per_s"], r["p50_us"], s["p50_us"],
        r["p99_us"], s["p99_us"], r["p99_us"] / s["p99_us"]))
pr = json.load(open(os.path.join(work, "rumor-pipelined.json")))
ps = json.load(open(os.path.join(work, "serf-pipelined.json")))
res["pipelined"] = {"rumor": pr, "serf": ps}
md.append("| 1, %d deep | %.0f | %.0f | %.2f | %.1f | %.1f | %.1f | %.1f | %.2f |" % (
    pr["depth"], pr["per_s"], ps["per_s"], pr["per_s"] / ps["per_s"], pr["p50_us"], ps["p50_us"],
    pr["p99_us"], ps["p99_us"], pr["p99_us"] / ps["p99_us"]))
md.append("")
md.append("%d instances in the rumor cluster (%d agents x %d services), each answer %d instances; "
          "Serf: %d agents, each answer %d members. %s s per run; p50 is the median client's, "
          "p99 the worst client's; pipelined latency is per batch." % (n * services, n, services, res["runs"][0]["rumor"]["answer"],
                                       n, res["runs"][0]["serf"]["answer"], secs))
if pin:
    md[-1] += " Agent 0 of each and every client pinned to CPU 0."
depth = res["pipelined"]["rumor"]["depth"]
stem = os.path.join("bench", "results", "lookup-A%d-S%d%s%s" % (
    n, services, "-pinned" if pin else "", "" if depth == 32 else "-d%d" % depth))
json.dump(res, open(stem + ".json", "w"), indent=1)
open(stem + ".md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
