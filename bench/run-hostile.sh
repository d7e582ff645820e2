#!/usr/bin/env bash
# One agent under a hostile network for a full minute (the short version
# is tests/integration/test_hostile.sh; the attacker is
# tests/integration/hostile.py).
#   bench/run-hostile.sh [SECONDS]          (default 60; as root for the
#                                            extra loopback addresses)
#   RUMOR=path/to/rumor LABEL=before bench/run-hostile.sh
# Agents a and b on 127.0.0.1 (encrypted, LAN timings). For SECONDS, an
# attacker without the key sends a at once:
#   - 50,000 datagrams/s: random, truncated, sealed-looking with the real
#     key id (what a sniffer sees), bit-flipped, plaintext, oversize;
#   - 1,000 connections to its push-pull port that send nothing, from 250
#     loopback addresses (127.0.1.x), reopened as a closes them;
#   - every 10 s, 128 connections (from 127.0.2.x) each announcing a
#     20 MiB frame and sending all of it but its last byte, held 3 s;
#   - random and forged stream frames, one connection after another.
# A client looks up a service on a's socket every 10 ms (latency p50, p99,
# p99.9, max); a's RSS is sampled every 100 ms (peak), with the CPU time
# it used and waited for; at 10 s agent c joins through a (time until a,
# b and c all see it alive). At the end: suspicions and failures in every
# log, and a's drop counters by reason. Writes
# bench/results/hostile-<LABEL>.json and .md (LABEL default "current").
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
label=${LABEL:-current}
if [ -z "${RUMOR:-}" ]; then
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j"$(nproc)" --target rumor >/dev/null
	RUMOR=$PWD/build/rumor
fi
hostile=$PWD/tests/integration/hostile.py
out=$PWD/bench/results
work=$(mktemp -d /tmp/rumor-hostile.XXXXXX)
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
agent() { # agent NAME PORT [flags]
	local name=$1 p=$2; shift 2
	"$RUMOR" agent --name "$name" --bind "127.0.0.1:$p" \
		--socket "$work/$name.sock" --key-file "$work/key" \
		"$@" >"$work/$name.log" 2>&1 &
	pids+=($!)
	eval "pid_$name=$!"
	local i
	for i in $(seq 100); do [ -S "$work/$name.sock" ] && return 0; sleep 0.05; done
	echo "run-hostile: agent $name did not start" >&2; exit 1
}
alive_in() { # alive_in OBSERVER SUBJECT
	"$RUMOR" members --socket "$work/$1.sock" --json 2>/dev/null |
		python3 -c 'import json,sys; sys.exit(0 if any(m["name"] == sys.argv[1] and m["status"] == "alive" for m in json.load(sys.stdin)) else 1)' "$2"
}

"$RUMOR" keygen >"$work/key"
pa=$(port); pb=$(port); pc=$(port)
agent a "$pa"
agent b "$pb" --join "127.0.0.1:$pa"
"$RUMOR" register web --port 80 --socket "$work/b.sock" >/dev/null
sleep 2
rss_idle=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid_a/status")
target=127.0.0.1:$pa
echo "== hostile $label: ${secs}s against $target ($RUMOR)" >&2

python3 "$hostile" rss --pid "$pid_a" --seconds "$((secs + 4))" >"$work/rss.json" &
side=($!)
python3 "$hostile" ipc-latency --socket "$work/a.sock" --seconds "$secs" \
	>"$work/lat.json" &
side+=($!)
python3 "$hostile" udp-flood --target "$target" --rate 50000 \
	--seconds "$secs" --key "$work/key" >"$work/flood.json" &
side+=($!)
python3 "$hostile" tcp-idle --target "$target" --count 1000 \
	--seconds "$secs" --sources 250 --source-net 127.0.1 >"$work/idle.json" &
side+=($!)
python3 "$hostile" tcp-garbage --target "$target" --seconds "$secs" \
	--key "$work/key" >"$work/garbage.json" &
side+=($!)
(
	end=$((SECONDS + secs - 3))
	while [ $SECONDS -lt $end ]; do
		timeout 20 python3 "$hostile" tcp-big --target "$target" \
			--count 128 --hold 3 --sources 64 --source-net 127.0.2 \
			>>"$work/big.jsonl" || true
		sleep 7
	done
) &
side+=($!)

sleep 10
join_start=$(date +%s.%N)
agent c "$pc" --join "127.0.0.1:$pa"
join_s=none
for _ in $(seq 600); do
	if alive_in c a && alive_in c b && alive_in a c && alive_in b c; then
		join_s=$(python3 -c "print(f'{$(date +%s.%N) - $join_start:.2f}')")
		break
	fi
	sleep 0.1
done
wait "${side[@]}" || true
"$RUMOR" stats --socket "$work/a.sock" >"$work/stats"

python3 - "$work" "$out" "$label" "$secs" "$rss_idle" "$join_s" <<'PY'
import json, os, re, sys
work, out, label, secs, rss_idle, join_s = sys.argv[1:]
def load(name):
    with open(os.path.join(work, name)) as f:
        return json.load(f)
stats = {}
for line in open(os.path.join(work, "stats")):
    parts = line.split()
    if len(parts) == 2 and parts[1].isdigit():
        stats[parts[0]] = int(parts[1])
big = [json.loads(l) for l in open(os.path.join(work, "big.jsonl")) if l.strip()]
logs = {}
for n in "abc":
    text = open(os.path.join(work, n + ".log")).read()
    logs[n] = {"suspect": len(re.findall(r"member [abc] suspect", text)),
               "failed": len(re.findall(r"member [abc] failed", text))}
r = {"label": label, "seconds": int(secs), "rss_idle_kb": int(rss_idle),
     "rss": load("rss.json"), "lookup_latency": load("lat.json"),
     "flood": load("flood.json"), "idle_connections": load("idle.json"),
     "garbage": load("garbage.json"), "big_frames": big,
     "join_through_a_s": join_s, "views": logs,
     "a_stats": {k: v for k, v in stats.items()
                 if k.startswith(("drop_", "stream", "udp_", "recv_"))
                 and not k.startswith("drop_core_")}}
flood_counted = sum(v for k, v in r["a_stats"].items()
                    if k.startswith("drop_")) + \
    stats.get("recv_oversize", 0) + stats.get("udp_kernel_drops", 0)
r["flood_counted"] = flood_counted
with open(os.path.join(out, f"hostile-{label}.json"), "w") as f:
    json.dump(r, f, indent=1)
lat, rss = r["lookup_latency"], r["rss"]
lines = [f"# hostile network, {secs} s, {label}", "",
         "| measure | value |", "|---|---|",
         f"| a's RSS idle / peak / at end [MiB] | {int(rss_idle)/1024:.1f} / "
         f"{rss['peak_rss_kb']/1024:.1f} / {rss['last_rss_kb']/1024:.1f} |",
         f"| a's CPU used / waited for a CPU [s] | {rss.get('cpu_ms', 0)/1000:.1f}"
         f" / {rss.get('cpu_wait_ms', 0)/1000:.1f} |",
         f"| lookups on a's socket (every 10 ms) | {lat.get('n', 0)} answered, "
         f"{lat['failures']} failed |",
         f"| lookup latency p50 / p99 / p99.9 / max [ms] | {lat.get('p50_ms')} / "
         f"{lat.get('p99_ms')} / {lat.get('p999_ms')} / {lat.get('max_ms')} |",
         f"| datagrams sent / counted as dropped by a | {r['flood']['sent']} / "
         f"{flood_counted} (udp_kernel_drops {stats.get('udp_kernel_drops', 0)}) |",
         f"| idle connections opened / closed by a | "
         f"{r['idle_connections']['opened']} / "
         f"{r['idle_connections']['closed_by_agent']} |",
         f"| 20 MiB-frame rounds; MiB a's sockets took per round (max) | "
         f"{len(big)}; {max([b['bytes_taken'] for b in big] or [0]) / 1048576:.0f} |",
         f"| c joins through a (all three see it) [s] | {join_s} |",
         "| suspicions / failures seen (a, b, c) | " +
         ", ".join(f"{v['suspect']}/{v['failed']}" for v in logs.values()) + " |",
         "", "a's drop counters: " + ", ".join(
             f"{k} {v}" for k, v in sorted(r["a_stats"].items()) if v)]
with open(os.path.join(out, f"hostile-{label}.md"), "w") as f:
    f.write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
