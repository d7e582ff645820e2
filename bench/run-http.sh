#!/usr/bin/env bash
# The HTTP API under load: wrk against one agent's
#   GET /v1/health/service/web?passing
# with INSTANCES instances of web (default 10) registered over HTTP on
# that agent, each answer holding all of them (Consul's shape, ~6.5 KiB
# for 10). For each number of connections in CONNS (default 1 10 50),
# wrk runs SECONDS (default 10) with THREADS threads (default 2, at
# most one per connection) and --latency; the table gets requests/s and
# wrk's latency percentiles (p50, p90, p99, max; wrk does not correct for
# coordinated omission). Then the same for GET /metrics at the largest
# CONNS. Everything on 127.0.0.1, every process stopped by PID.
#   bench/run-http.sh [INSTANCES] [SECONDS] [CONNS...]
# Writes bench/results/http-N<INSTANCES>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}; secs=${2:-10}
shift $(($# < 2 ? $# : 2))
conns=("$@")
[ ${#conns[@]} -gt 0 ] || conns=(1 10 50)
threads=${THREADS:-2}
.ci/deps --bench >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target rumor >/dev/null
work=$(mktemp -d /tmp/rumor-http.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
port=$((20000 + RANDOM % 20000)); http=$((port + 1))
build/rumor agent --name a --bind "127.0.0.1:$port" --socket "$work/a.sock" \
	--no-encrypt --http "127.0.0.1:$http" >"$work/a.log" 2>&1 &
pids+=($!)
base=http://127.0.0.1:$http
for _ in $(seq 50); do curl -sf "$base/v1/agent/self" >/dev/null && break; sleep 0.1; done
for i in $(seq 0 $((n - 1))); do
	curl -sf -X PUT "$base/v1/agent/service/register" --data \
		"{\"Name\": \"web\", \"ID\": \"web-$i\", \"Port\": $((8000 + i)),
		  \"Tags\": [\"v1\"], \"Meta\": {\"zone\": \"z$((i % 3))\"}}" >/dev/null
done
url="$base/v1/health/service/web?passing"
got=$(curl -s "$url" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$got" = "$n" ] || { echo "run-http: $got instances, want $n" >&2; exit 1; }
size=$(curl -s "$url" | wc -c)

# run URL CONNS: one wrk run, one table row.
run() {
	local url=$1 c=$2 t=$threads
	[ "$t" -gt "$c" ] && t=$c
	wrk -t"$t" -c"$c" -d"${secs}s" --latency "$url" >"$work/wrk.out"
	python3 - "$work/wrk.out" "$c" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
pct = {p: ms(v, u) for p, v, u in
       re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)}
mx = re.search(r"Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)", text)
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
sock = re.search(r"Socket errors: (.*)", text)
print(f"| {sys.argv[2]} | {float(rps):.0f} | {pct['50']:.3f} | {pct['90']:.3f} "
      f"| {pct['99']:.3f} | {ms(*mx.groups()):.3f} "
      f"| {errs.group(1) if errs else 0}{'; ' + sock.group(1) if sock else ''} |")
PY
}
load0=$(cut -d' ' -f1-3 /proc/loadavg)
{
	echo "GET /v1/health/service/web?passing, $n instances ($size bytes per answer), $secs s per run, wrk -t$threads (at most one thread per connection):"
	echo
	echo "| connections | requests/s | p50 ms | p90 ms | p99 ms | max ms | errors |"
	echo "|---|---|---|---|---|---|---|"
	for c in "${conns[@]}"; do run "$url" "$c"; done
	c=${conns[${#conns[@]}-1]}
	echo
	echo "GET /metrics ($(curl -s "$base/metrics" | wc -c) bytes), $c connections:"
	echo
	echo "| connections | requests/s | p50 ms | p90 ms | p99 ms | max ms | errors |"
	echo "|---|---|---|---|---|---|---|"
	run "$base/metrics" "$c"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) CPUs shared with other work (load average $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after); the agent's counters after: $(build/rumor stats --socket "$work/a.sock" | awk '/^http_(requests|status_200|protocol_errors) /{printf "%s=%s ", $1, $2}')"
} | tee "bench/results/http-N$n.md"
