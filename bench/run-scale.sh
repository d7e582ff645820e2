#!/usr/bin/env bash
# Many real agents on this machine (issue "Scale", point 1 and 5): N rumor
# agents join through 3 seeds within a few seconds, then idle, a crash of
# 10 and a graceful stop of all; Serf at the largest N it manages here, in
# the same script, the same way (bench/scale.py measures both).
#   bench/run-scale.sh [N] [SERF_N] [SERVICES]       (as root)
#   bench/run-scale.sh 1000 256 0      # ~10 minutes
#   bench/run-scale.sh 1000 0 50       # 50 services per agent, rumor only
# SERF_N 0 skips Serf. Writes bench/results/scale-rumor-N<N>[-S<S>].json
# and scale-serf-N<SERF_N>.json. Each system runs in a network namespace
# made for it (agents on 127.10.x.y, traffic on its loopback only); the
# file descriptor limit and the kernel's socket buffer maxima are raised
# for the run and restored after. Not part of CI (a 100-agent version is:
# tests/integration/test_scale100.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
serf_n=${2:-256}
services=${3:-0}
[ "$(id -u)" = 0 ] || { echo "run-scale: needs root (ip netns, limits)" >&2; exit 1; }
out=$PWD/bench/results
mkdir -p "$out"
if [ -z "${RUMOR_BIN:-}" ]; then
	.ci/deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j2 --target rumor >/dev/null
	RUMOR_BIN=$PWD/build/rumor
fi
if [ "$serf_n" != 0 ]; then
	command -v serf >/dev/null || .ci/deps --bench
fi

# Limits, restored on exit whatever happens.
saved=()
for k in net.core.rmem_max net.core.wmem_max net.core.somaxconn; do
	saved+=("$k=$(sysctl -n "$k")")
done
ns=""
restore() {
	[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true
	for kv in "${saved[@]}"; do sysctl -q -w "$kv" >/dev/null || true; done
}
trap restore EXIT
sysctl -q -w net.core.rmem_max=8388608 net.core.wmem_max=8388608 \
	net.core.somaxconn=4096 >/dev/null
# Each agent holds a few descriptors, and the reader one pipe per agent.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=65536
ulimit -n $((hard < 65536 ? hard : 65536))

run() { # system n extra-args...
	local system=$1 count=$2
	shift 2
	ns=rumor-scale-$$-$system
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" python3 bench/scale.py --system "$system" \
		--n "$count" "$@"
	ip netns del "$ns"
	ns=""
}

tmp=$(mktemp -d)
suffix=""
[ "$services" != 0 ] && suffix="-S$services"
"$RUMOR_BIN" keygen >"$tmp/rumor.key"
echo "== rumor N=$n services=$services" >&2
run rumor "$n" --bin "$RUMOR_BIN" --key "$tmp/rumor.key" \
	--services "$services" --out "$out/scale-rumor-N$n$suffix.json"
if [ "$serf_n" != 0 ]; then
	echo "== serf N=$serf_n" >&2
	run serf "$serf_n" --bin "$(command -v serf)" --key "$(serf keygen)" \
		--join-cap 300 --out "$out/scale-serf-N$serf_n.json"
fi
rm -rf "$tmp"
