#!/usr/bin/env bash
# DNS queries per second and latency: the agent's DNS interface beside
# NSD (Debian's `nsd`, authoritative, the speed to aim at) serving the
# same records from a zone file, in the same run.
#   bench/run-dns.sh [SECONDS] [ROUNDS]
# One agent registers a service w10 with 10 instances and w100 with 100
# (each at an address of its own, so SRV targets are HEX.addr names with
# their A records in the additional section). The zone file NSD serves is
# made from the agent's own answers over TCP (every record of every
# answer), so both servers hold the same records. dnsperf (Debian's)
# then asks each server the same question again and again, for four
# questions: w10 A, w10 SRV, w100 A, w100 SRV.
#  - Throughput: dnsperf's default (one UDP client, 100 queries in
#    flight) for SECONDS (default 5): queries per second.
#    The servers' CPU time over those runs gives CPU µs per query,
#    a figure that holds when dnsperf or a busy machine is the limit.
#  - Latency: the same question at a fixed rate (LAT_QPS, default 10000
#    queries/s, below both servers' capacity) for SECONDS with -v, which
#    prints every query's round trip: p50, p99, p99.9 and max from those.
# ROUNDS (default 3) repeats all of it, the two servers alternating, and
# the figures are the rounds' medians (max: the worst round); the ratio
# is the agent's median qps over NSD's. Both servers run on CPU 1
# (taskset: the agent on one core); dnsperf runs on CPU 0 for throughput
# and on CPU 1, beside the server, for latency (LAT_CPU): on this VM a
# wake-up across CPUs alone costs milliseconds at p99 (measured: p99 3.4
# ms across CPUs vs 0.23 ms on one, same agent, 2,000 queries/s; the
# lookup benchmark saw the same). UDP without EDNS
# (512-byte answers, what glibc's stub resolver asks) unless EDNS=1
# (dnsperf -e; both servers then answer up to 1232 bytes). Loopback only;
# every process stopped by PID. Writes bench/results/dns-udp[-edns].json
# and .md. BUILD (default build) is the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}; rounds=${2:-3}; lat_qps=${LAT_QPS:-10000}; lat_cpu=${LAT_CPU:-1}
build=${BUILD:-build}
edns=(); suffix=""
[ "${EDNS:-0}" = 1 ] && { edns=(-e); suffix="-edns"; }
.ci/deps --bench >/dev/null
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target rumor >/dev/null
work=$(mktemp -d /tmp/rumor-dns.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	[ "${KEEP:-0}" = 1 ] && echo "run-dns: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
p_gossip=$(free_port); p_agent=$(free_port); p_nsd=$(free_port)

echo "== agent (CPU 1), DNS on 127.0.0.1:$p_agent" >&2
taskset -c 1 "$build/rumor" agent --name bench --bind "127.0.0.1:$p_gossip" \
	--socket "$work/a.sock" --no-encrypt --dns "127.0.0.1:$p_agent" \
	>"$work/agent.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$work/a.sock" ] && break; sleep 0.1; done
[ -S "$work/a.sock" ] || { cat "$work/agent.log" >&2; exit 1; }
for n in 10 100; do
	for i in $(seq 1 "$n"); do
		"$build/rumor" register "w$n" --id "w$n-$i" --port $((8000 + i)) \
			--address "10.$((n / 10)).$((i / 250)).$((i % 250 + 1))" \
			--socket "$work/a.sock" >/dev/null
	done
done

# The zone: SOA and NS at the apex, then every record of the agent's
# whole answers (TCP: nothing cut).
{
	echo '$ORIGIN rumor.'
	echo '@ 0 IN SOA ns.rumor. hostmaster.rumor. 1 3600 600 86400 0'
	echo '@ 0 IN NS ns.rumor.'
	echo 'ns 0 IN A 127.0.0.1'
	for n in 10 100; do
		for t in A SRV; do
			dig @127.0.0.1 -p "$p_agent" +tcp +noall +answer +additional \
				"w$n.service.rumor" "$t"
		done
	done | sort -u
} >"$work/rumor.zone"
for n in 10 100; do
	got=$(grep -c "^w$n.service.rumor.*IN.A" "$work/rumor.zone" || true)
	[ "$got" = "$n" ] || { echo "run-dns: w$n has $got A records, not $n" >&2; exit 1; }
done
cat >"$work/nsd.conf" <<EOF
server:
  ip-address: 127.0.0.1@$p_nsd
  port: $p_nsd
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$work"
  database: ""
  zonelistfile: "$work/zone.list"
  xfrdfile: "$work/xfrd.state"
  pidfile: "$work/nsd.pid"
  logfile: "$work/nsd.log"
  do-ip6: no
  round-robin: yes
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: rumor.
  zonefile: rumor.zone
EOF
echo "== nsd (CPU 1) on 127.0.0.1:$p_nsd, $(wc -l <"$work/rumor.zone") zone lines" >&2
taskset -c 1 nsd -d -c "$work/nsd.conf" >"$work/nsd.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
	dig @127.0.0.1 -p "$p_nsd" +short +tries=1 +time=1 w10.service.rumor >/dev/null 2>&1 && break
	sleep 0.1
done

# CPU time (ticks) of a server: the process and all its descendants
# (NSD's started process becomes xfrd; it answers from a grandchild).
cpu_ticks() {
	local p t
	# utime and stime, counted after the name (NSD's have spaces).
	t=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}')
	t=${t:-0}
	for p in $(pgrep -P "$1"); do
		t=$((t + $(cpu_ticks "$p")))
	done
	echo "$t"
}
questions=("w10 A" "w10 SRV" "w100 A" "w100 SRV")
for r in $(seq 1 "$rounds"); do
	for qn in "${questions[@]}"; do
		set -- $qn
		echo "$1.service.rumor $2" >"$work/q"
		for sys in agent nsd; do
			port=$p_agent; pid=${pids[0]}
			[ "$sys" = nsd ] && { port=$p_nsd; pid=${pids[1]}; }
			tag="$sys-$1-$2-$r"
			echo "   round $r: $sys $1 $2" >&2
			t0=$(cpu_ticks "$pid")
			taskset -c 0 dnsperf -s 127.0.0.1 -p "$port" -d "$work/q" \
				-l "$secs" "${edns[@]}" >"$work/tp-$tag.txt" 2>&1
			echo "cpu ticks: $(($(cpu_ticks "$pid") - t0))" >>"$work/tp-$tag.txt"
			taskset -c "$lat_cpu" dnsperf -s 127.0.0.1 -p "$port" -d "$work/q" \
				-l "$secs" -Q "$lat_qps" -v "${edns[@]}" |
				awk '$1 == ">" {print $NF}' >"$work/lat-$tag.txt"
		done
	done
done
kill -0 "${pids[0]}" 2>/dev/null || { echo "run-dns: the agent died:" >&2; tail "$work/agent.log" >&2; exit 1; }
"$build/rumor" stats --socket "$work/a.sock" | grep '^dns_' >"$work/agent-stats.txt"

python3 - "$work" "$secs" "$rounds" "$lat_qps" "${EDNS:-0}" "$suffix" "$lat_cpu" \
	"$(nproc)" "$(dnsperf -h 2>&1 | sed -n 's/^Version //p' | head -1)" \
	"$(nsd -v 2>&1 | head -1)" "${questions[@]}" <<'PY'
import json, os, re, statistics, sys
work, secs, rounds, lat_qps, edns, suffix, lat_cpu, ncpu, dnsperf_v, nsd_v = sys.argv[1:11]
questions = sys.argv[11:]
rounds = int(rounds)
TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")
def tp(path):
    text = open(path).read()
    qps = float(re.search(r"Queries per second:\s+([\d.]+)", text).group(1))
    size = re.search(r"response (\d+)", text)
    lost = re.search(r"Queries lost:\s+(\d+)", text)
    done = int(re.search(r"Queries completed:\s+(\d+)", text).group(1))
    ticks = int(re.search(r"cpu ticks: (\d+)", text).group(1))
    return (qps, int(size.group(1)) if size else 0, int(lost.group(1)) if lost else 0,
            ticks * TICK_US / max(done, 1))
def pct(v, p):
    return v[min(len(v) - 1, int(len(v) * p))]
res = {"seconds": float(secs), "rounds": rounds, "latency_qps": int(lat_qps),
       "latency_cpu": int(lat_cpu),
       "edns": edns == "1", "cpus": int(ncpu), "dnsperf": dnsperf_v, "nsd": nsd_v,
       "questions": []}
md = ["| question | agent q/s | NSD q/s | ratio | agent / NSD CPU µs per query "
      "| agent / NSD answer B | agent p50 / p99 / p99.9 / max µs | NSD p50 / p99 / p99.9 / max µs |",
      "|---|---|---|---|---|---|---|---|"]
for qn in questions:
    name, qtype = qn.split()
    row = {"question": "%s.service.rumor %s" % (name, qtype)}
    for sysname in ("agent", "nsd"):
        runs = [tp(os.path.join(work, "tp-%s-%s-%s-%d.txt" % (sysname, name, qtype, r)))
                for r in range(1, rounds + 1)]
        lats, per_round = [], []
        for r in range(1, rounds + 1):
            v = sorted(float(x) * 1e6 for x in open(os.path.join(
                work, "lat-%s-%s-%s-%d.txt" % (sysname, name, qtype, r))) if x.strip())
            if not v:
                continue
            lats.append(len(v))
            per_round.append({"p50": pct(v, 0.5), "p90": pct(v, 0.9), "p99": pct(v, 0.99),
                              "p999": pct(v, 0.999), "max": v[-1],
                              "over_1ms": sum(x > 1000 for x in v) / len(v)})
        worst = {k: statistics.median(p[k] for p in per_round)
                 for k in ("p50", "p90", "p99", "p999", "over_1ms")}
        worst["max"] = max(p["max"] for p in per_round)
        row[sysname] = {"qps_runs": [r[0] for r in runs],
                        "qps": statistics.median(r[0] for r in runs),
                        "lost": sum(r[2] for r in runs),
                        "cpu_us_per_query": statistics.median(r[3] for r in runs),
                        "answer_bytes": runs[0][1],
                        "latency_us": worst, "latency_rounds": per_round,
                        "latency_samples": sum(lats)}
    row["ratio"] = row["agent"]["qps"] / row["nsd"]["qps"]
    res["questions"].append(row)
    a, n = row["agent"], row["nsd"]
    fmt = lambda l: "%.0f / %.0f / %.0f / %.0f" % (l["p50"], l["p99"], l["p999"], l["max"])
    md.append("| %s | %.0f | %.0f | %.2f | %.1f / %.1f | %d / %d | %s | %s |" % (
        row["question"], a["qps"], n["qps"], row["ratio"], a["cpu_us_per_query"],
        n["cpu_us_per_query"], a["answer_bytes"], n["answer_bytes"],
        fmt(a["latency_us"]), fmt(n["latency_us"])))
md.append("")
md.append("UDP%s, one question repeated; q/s: median of %d rounds of %s s "
          "(dnsperf %s on CPU 0, 100 queries in flight); latency: every query's "
          "round trip at %s queries/s (dnsperf -v, on CPU %s), median of the rounds' "
          "percentiles, max of the worst round. CPU µs per query: the server's "
          "CPU time (user + system, its descendants included) over the queries "
          "answered in the throughput runs, median of the rounds. Agent and %s "
          "on CPU 1; %s CPUs shared with other work." % (
              " with EDNS (1232-byte answers)" if edns == "1" else " without EDNS (512-byte answers)",
              rounds, secs, dnsperf_v, lat_qps, lat_cpu, nsd_v, ncpu))
res["agent_stats"] = dict(l.split() for l in open(os.path.join(work, "agent-stats.txt")))
stem = os.path.join("bench", "results", "dns-udp" + suffix)
json.dump(res, open(stem + ".json", "w"), indent=1)
open(stem + ".md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
