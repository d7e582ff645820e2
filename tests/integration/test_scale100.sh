#!/usr/bin/env bash
# bench/run-scale.sh's run at 100 agents (issue "Scale", point 1), as an
# integration test: 100 real agents in a network namespace made here join
# through 3 seeds within 8 s; every view completes, 10 agents killed with
# SIGKILL are marked failed by every survivor, and all the others leave and
# exit 0 on SIGTERM. Nothing is timed here beyond scale.py's own caps (the
# benchmark measures the times); skipped without root or ip netns.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ns=rumor-it-scale-$$
if [ "$(id -u)" -ne 0 ] || ! ip netns add "$ns" 2>/dev/null; then
	echo "skip: 100 agents: cannot make a network namespace (needs root and ip netns)"
	finish
	exit
fi
trap 'ip netns del "$ns" 2>/dev/null; cleanup' EXIT
ip -n "$ns" link set lo up
"$RUMOR" keygen >"$WORK/key"

run() {
	ip netns exec "$ns" python3 "$ROOT/bench/scale.py" --system rumor \
		--n 100 --bin "$RUMOR" --key "$WORK/key" --idle 5 --crash 10 \
		--out "$WORK/r.json" 2>"$WORK/scale.err"
}
check "scale.py runs 100 agents" run
cat "$WORK/scale.err"

field() { # field EXPR: a value of the JSON summary
	python3 -c "import json; r = json.load(open('$WORK/r.json')); print($1)"
}
check "every agent's view completes" \
	test "$(field "r['join']['complete']")" = 100
check "10 crashed agents are seen failed by every survivor" \
	test "$(field "r['crash']['seen_failed_by_all']")" = 10
check "the 90 others leave and exit 0 on SIGTERM" \
	test "$(field "r['stop']['exit_0']")" = 90
finish
