#!/usr/bin/env bash
# Membership benchmark, rumor and Serf side by side in one run, with the
# shared harness (../shared/bench: each cluster in its own network
# namespace on 127.0.0.x, one analyzer for both).
#   bench/run-membership.sh [N] [harness options...]    (as root)
# Writes bench/results/{serf,rumor}-N<N>.json and membership-N<N>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-32}
shift || true
shared=$(cd ../shared/bench && pwd)
.ci/deps --bench
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target rumor >/dev/null
out=$PWD/bench/results
for system in serf rumor; do
	adapter=$system
	[ "$system" = rumor ] && adapter=$PWD/bench/adapters/rumor.sh
	echo "== $system N=$n" >&2
	BENCH_OUT=$out "$shared/run.sh" "$adapter" "$n" "$@"
done
python3 "$shared/harness/report.py" "$out/serf-N$n.json" \
	"$out/rumor-N$n.json" >"$out/membership-N$n.md"
cat "$out/membership-N$n.md"
