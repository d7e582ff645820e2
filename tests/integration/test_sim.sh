#!/usr/bin/env bash
# rumor-sim as a user runs it: the README's partition scenario (scaled to
# 200 nodes) with every output, checked for content; the same seed gives a
# byte-identical trace; bad flags and scenario lines get one line on
# stderr and exit 2.
. "$(dirname "$0")/lib.sh"

SIM=${RUMOR_SIM:-$(dirname "$RUMOR")/rumor-sim}
[ -x "$SIM" ] || { echo "no rumor-sim binary at $SIM" >&2; exit 1; }

cat >"$WORK/split.scn" <<'SCN'
# comment lines start with '#'; times are virtual
at 30s crash 17
at 40s partition 0-99 / 100-199
at 70s heal
at 80s loss 10%
at 100s loss 0%
at 105s restart 17
at 110s pause 3 for 20s
SCN

run() { # run SEED PREFIX
	"$SIM" --nodes 200 --seed "$1" --duration 150s --scenario "$WORK/split.scn" \
		--json "$WORK/$2.json" --trace "$WORK/$2.trace" \
		--csv "$WORK/$2.csv" --plot "$WORK/$2.svg" >"$WORK/$2.out" 2>&1
}
check "200-node partition scenario runs" run 7 a
cat "$WORK/a.out"
check "same seed again" run 7 b
check "another seed" run 8 c

check "the same seed gives a byte-identical trace" cmp -s "$WORK/a.trace" "$WORK/b.trace"
differ() { ! cmp -s "$1" "$2"; }
check "another seed gives another trace" differ "$WORK/a.trace" "$WORK/c.trace"
check "the same seed gives the same JSON but for wall time and memory" \
	python3 - "$WORK/a.json" "$WORK/b.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for k in ("wall_time_s", "rss_delta_bytes", "rss_peak_bytes", "ns_per_event",
          "memory_per_node_bytes", "bytes_per_node_member"):
    a.pop(k, None); b.pop(k, None)
sys.exit(a != b)
PY

check "JSON holds what the issue names, with sane values" \
	python3 - "$WORK/a.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["seed"] == 7 and j["nodes"] == 200
assert 0 < j["converged_at_s"] < 30, j["converged_at_s"]
f = [x for x in j["failures"] if x["node"] == "n17"]
assert f and f[0]["crashed_at_s"] == 30.0
assert 30 < f[0]["first_detect_s"] <= f[0]["all_detect_s"] < 70, f
h = j["heals"]
assert len(h) == 1 and h[0]["healed_at_s"] == 70.0
assert h[0]["converged_at_s"] is not None and h[0]["converged_at_s"] > 70, h
assert isinstance(j["false_positives"], int)
assert 0 < j["messages_per_node_per_s"] < 100
assert 0 < j["bytes_per_node_per_s"] < 100000
assert 0 < j["max_datagram_bytes"] <= 1400
PY

check "trace lines are: time observer subject status" python3 - "$WORK/a.trace" <<'PY'
import sys
n = 0
for line in open(sys.argv[1]):
    t, o, s, st = line.split()
    float(t); assert o[0] == "n" and s[0] == "n"
    assert st in ("alive", "suspect", "failed", "left"), st
    n += 1
assert n >= 200 * 199, n
PY

check "CSV has a row per virtual second" python3 - "$WORK/a.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) >= 150, len(rows)
# During the partition every node sees about half the cluster alive.
mid = [r for r in rows if int(r["t_s"]) == 65][0]
assert int(mid["alive_max"]) <= 101, mid
end = rows[-1]
assert int(end["alive_min"]) == int(end["live"]), end
PY

check "the plot is an SVG with the scenario marked" python3 - "$WORK/a.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag.endswith("svg")
text = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
for word in ("crash", "partition", "heal"):
    assert word in text, word
assert any(e.tag.endswith(("polyline", "path", "polygon")) for e in root.iter())
PY

printf 'at 20s partition 0-49 / 50-99\nat 50s heal\n' >"$WORK/cat.scn"
check "--catalog: services follow the partition and the heal" sh -c "
	'$SIM' --nodes 100 --seed 3 --duration 90s --catalog \
		--scenario '$WORK/cat.scn' --csv '$WORK/cat.csv' >/dev/null &&
	python3 - '$WORK/cat.csv' <<'PY'
import csv, sys
rows = {int(r['t_s']): r for r in csv.DictReader(open(sys.argv[1]))}
assert int(rows[15]['services_min']) == 100, rows[15]
assert int(rows[45]['services_max']) <= 51, rows[45]
assert int(rows[89]['services_min']) == 100, rows[89]
PY"

# expect_error DESCRIPTION PATTERN command...: exit 2, one stderr line
# matching PATTERN.
expect_error() {
	local what=$1 pat=$2; shift 2
	"$@" >/dev/null 2>"$WORK/err"
	local rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$WORK/err")" -eq 1 ] &&
		grep -q "$pat" "$WORK/err"; then
		pass "$what: $(cat "$WORK/err")"
	else
		fail "$what (exit $rc): $(cat "$WORK/err")"
	fi
}
expect_error "unknown flag" '^rumor-sim: unknown flag "--nodez"' \
	"$SIM" --nodez 5
expect_error "bad node count" '^rumor-sim: bad value "-3" for --nodes' \
	"$SIM" --nodes -3
printf 'at 10s crash 1\nat 20s explode 3\n' >"$WORK/bad.scn"
expect_error "unknown verb names file and line" \
	"^rumor-sim: $WORK/bad.scn:2: unknown verb" \
	"$SIM" --nodes 10 --scenario "$WORK/bad.scn"
printf 'at 10s crash 10\n' >"$WORK/range.scn"
expect_error "node out of range" "^rumor-sim: $WORK/range.scn:1: node 10" \
	"$SIM" --nodes 10 --scenario "$WORK/range.scn"
printf 'at 1Os heal\n' >"$WORK/time.scn"
expect_error "bad time" "^rumor-sim: $WORK/time.scn:1:" \
	"$SIM" --nodes 10 --scenario "$WORK/time.scn"
expect_error "missing scenario file" "^rumor-sim: $WORK/none.scn" \
	"$SIM" --nodes 10 --scenario "$WORK/none.scn"
expect_error "bad --alloc-fail" \
	'^rumor-sim: bad value "150%" for --alloc-fail' \
	"$SIM" --nodes 10 --alloc-fail 150%

check "--alloc-fail: refusals counted, every check passed" sh -c "
	'$SIM' --nodes 30 --seed 5 --duration 30s --catalog --alloc-fail 5% \
		>'$WORK/af.out' &&
	grep -q '^allocations refused  *[1-9][0-9]* (5%)' '$WORK/af.out' &&
	! grep -q VIOLATION '$WORK/af.out'"
check "--alloc-fail 0% keeps the trace" sh -c "
	test \"\$('$SIM' --nodes 30 --seed 5 --duration 30s --trace-hash)\" = \
	     \"\$('$SIM' --nodes 30 --seed 5 --duration 30s --trace-hash \
		--alloc-fail 0%)\""

check "--tags: every node holds every member's tags, in the summary and JSON" sh -c "
	'$SIM' --nodes 40 --seed 7 --duration 15s --tags --catalog \
		--json '$WORK/tags.json' --csv '$WORK/tags.csv' >'$WORK/tags.out' &&
	grep -q '^tags everywhere from  *[0-9.]* s (at the end a live node holds 40-40 of 40' '$WORK/tags.out' &&
	python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))[\"tags_everywhere_s\"] < 15 else 1)' '$WORK/tags.json' &&
	head -1 '$WORK/tags.csv' | grep -q ',services_min,services_max,tags_min,tags_max$'"

finish
