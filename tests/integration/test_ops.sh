#!/usr/bin/env bash
# Operating agents as an operator would (issue 16): node tags (--tag,
# rumor tags, members --tag, --json, watch --members, the size limit),
# seeds by DNS name (resolved again at every retry: a name that appears
# in /etc/hosts later is found, in a mount namespace of the test's own),
# rumor join / force-leave / info, the agent's config file (--config,
# --check, unknown keys, flags over the file, SIGHUP), --log-level,
# --log-json and rumor monitor. Bad input: one line, non-zero exit.
. "$(dirname "$0")/lib.sh"

P_a=$(free_port); P_b=$(free_port); P_c=$(free_port)
R() { local who=$1; shift; "$RUMOR" "$@" --socket "$WORK/$who.sock"; }
# until SECONDS COMMAND...: poll every 0.1 s.
until_ok() {
	local i
	for i in $(seq $(($1 * 10))); do
		"${@:2}" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
# one_line_fails CMD...: non-zero exit, exactly one line on stderr, none
# on stdout.
one_line_fails() {
	"$@" >"$WORK/out" 2>"$WORK/err" && return 1
	[ "$(wc -l <"$WORK/err")" -eq 1 ] && [ ! -s "$WORK/out" ] ||
		{ cat "$WORK/err" "$WORK/out"; return 1; }
}
json_true() { # json_true PYTHON-CONDITION-ON-got < json
	python3 -c "
import json, sys
got = json.load(sys.stdin)
sys.exit(0 if ($1) else 1)"
}
members_json() { R "$1" members --json "${@:2}"; }

# ---- tags, and a seed by name --------------------------------------------

check "a starts with two tags" start_agent a "$P_a" --no-encrypt \
	--dns off --http off --tag role=db --tag zone=a
check "b starts, joining through a by name (localhost)" \
	start_agent b "$P_b" --no-encrypt --dns off --http off \
	--tag role=web --join "localhost:$P_a"
check "a sees b alive" wait_status 10 alive b a
check "members --json carries the tags" eval \
	'members_json a | json_true "{m[\"name\"]: m.get(\"tags\") for m in got} == {\"a\": {\"role\": \"db\", \"zone\": \"a\"}, \"b\": {\"role\": \"web\"}}"'
check "members --tag role=db: a only" eval \
	'members_json b --tag role=db | json_true "[m[\"name\"] for m in got] == [\"a\"]"'
check "members --tag takes a regular expression (role=w.*)" eval \
	'members_json a --tag "role=w.*" | json_true "[m[\"name\"] for m in got] == [\"b\"]"'
check "members --tag is anchored (role=d matches no one)" eval \
	'members_json a --tag role=d | json_true "got == []"'
check "members --tag with two filters: both must hold" eval \
	'members_json a --tag role=db --tag zone=b | json_true "got == []"'
check "members text shows the tags" eval \
	'R a members | grep -q "role=db,zone=a"'
check "members --tag with a bad regexp: one line" \
	one_line_fails R a members --tag "role=["
check "members --tag without =: one line" one_line_fails R a members --tag role

"$RUMOR" watch --members --socket "$WORK/a.sock" >"$WORK/watch.out" 2>&1 &
WATCH=$!
PIDS+=("$WATCH")
sleep 0.5
check "rumor tags --set/--delete answers with the new tags" eval \
	'[ "$(R b tags --set zone=b --delete role --json)" = "{\"zone\":\"b\"}" ]'
tags_of() { # tags_of OBSERVER NODE PYTHON-DICT
	members_json "$1" | json_true "{m[\"name\"]: m.get(\"tags\", {}) for m in got}[\"$2\"] == $3"
}
check "a sees b's new tags within 5 s" until_ok 5 tags_of a b '{"zone": "b"}'
check "watch --members shows the update with the tags" \
	until_ok 5 grep -q "^update b .* zone=b$" "$WORK/watch.out"
kill "$WATCH" 2>/dev/null
check "rumor tags with no change lists them" eval '[ "$(R b tags)" = "zone=b" ]'
big=()
for i in $(seq 20); do big+=(--set "key$i=$(printf 'v%.0s' $(seq 30))"); done
check "tags over 448 bytes: refused, one line naming the limit" \
	one_line_fails R b tags "${big[@]}"
grep -q "over the limit of 448" "$WORK/err" || fail "the limit is named: $(cat "$WORK/err")"
check "a value over 255 bytes: refused" one_line_fails R b tags --set "k=$(printf 'v%.0s' $(seq 300))"
check "--tag without a key at start: one line, exit 2" \
	one_line_fails "$RUMOR" agent --no-encrypt --check --tag =x
check "the refused tags changed nothing" eval '[ "$(R b tags)" = "zone=b" ]'

# ---- join, info, force-leave ---------------------------------------------

check "c starts alone" start_agent c "$P_c" --no-encrypt --dns off --http off
check "rumor join localhost:PORT (a name) joins c" eval \
	'R c join "localhost:$P_a" | grep -q "joined through 1 seed"'
check "a sees c alive" wait_status 10 alive c a
check "rumor join of a name that does not resolve: one line" \
	one_line_fails R c join nosuch.invalid:7946
check "rumor join of a bad address: one line" one_line_fails R c join 1.2.3:x
check "rumor join --json" eval \
	'R c join --json "127.0.0.1:$P_b" | json_true "got == {\"joined\": 1}"'
check "rumor info --json: name, members, listeners" eval \
	'R c info --json | json_true "got[\"name\"] == \"c\" and got[\"members\"][\"alive\"] == 3 and got[\"listeners\"][\"dns\"] == \"off\" and got[\"config\"][\"encrypt\"] == \"off\""'
check "rumor info in text" eval 'R a info | grep -q "^  role = db$"'
check "force-leave of an alive member: refused, one line" \
	one_line_fails R a force-leave b
check "force-leave of an unknown member: one line" \
	one_line_fails R a force-leave nobody
check "force-leave of the agent itself: one line" one_line_fails R a force-leave a
kill -9 "$PID_c"
wait "$PID_c" 2>/dev/null
check "a sees c failed" wait_status 30 failed c a
check "rumor force-leave c" R a force-leave c
check "b hears c left within 5 s" wait_status 5 left c b

# ---- a seed name resolved again at every retry ---------------------------

# d runs in a mount namespace whose /etc/hosts the test writes: at first
# the seed's name is not there (each retry resolves it, and fails), then
# it is, and d joins without being told.
if unshare -rm true 2>/dev/null; then
	P_d=$(free_port)
	HOSTS=$WORK/hosts
	printf '127.0.0.1 localhost\n' >"$HOSTS"
	unshare -rm sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' \
		sh "$HOSTS" "$RUMOR" agent --name d --bind "127.0.0.1:$P_d" \
		--socket "$WORK/d.sock" --data-dir "$WORK/d.d" --no-encrypt \
		--dns off --http off --join "seed.example.internal:$P_a" \
		>"$WORK/d.log" 2>&1 &
	PIDS+=("$!")
	stat_of() { R d stats --json | json_true "got[\"$1\"] >= $2"; }
	check "d resolves its seed again at each retry (3 failures)" \
		until_ok 20 stat_of seed_resolve_failures 3
	check "d logs why it has no seed" \
		grep -q "seed.example.internal.*(retrying)" "$WORK/d.log"
	printf '127.0.0.1 seed.example.internal\n' >>"$HOSTS"
	check "once the name resolves, d joins a" wait_status 20 alive d a
else
	echo "skip: no user+mount namespaces here (the retry test needs one)"
fi

# ---- the config file -----------------------------------------------------

P_e=$(free_port)
CONF=$WORK/agent.json
cat >"$CONF" <<JSON
{"name": "e", "bind": "127.0.0.1:$P_e", "join": ["localhost:$P_a"],
 "data_dir": "$WORK/e.d", "no_encrypt": true, "dns": "off", "http": "off",
 "tags": {"role": "cache", "zone": "a"}, "log_level": "debug",
 "probe_interval": 1500}
JSON
check "--check validates the file and exits 0" eval \
	'[ "$("$RUMOR" agent --config "$CONF" --check)" = "$CONF: ok" ]'
echo '{"name": "x", "tll": 3}' >"$WORK/bad.json"
check "an unknown key: one line naming it, exit 2" \
	one_line_fails "$RUMOR" agent --config "$WORK/bad.json" --check
grep -q 'unknown key "tll"' "$WORK/err" || fail "the key is named: $(cat "$WORK/err")"
echo '{"name": "x",' >"$WORK/bad.json"
check "broken JSON: one line with the line number" \
	one_line_fails "$RUMOR" agent --config "$WORK/bad.json" --check
grep -q "bad.json:[0-9]" "$WORK/err" || fail "the line is named: $(cat "$WORK/err")"
echo '{"join": "not-a-list:1:2"}' >"$WORK/bad.json"
check "a bad value: one line" \
	one_line_fails "$RUMOR" agent --config "$WORK/bad.json" --check
check "a missing file: one line" \
	one_line_fails "$RUMOR" agent --config "$WORK/nothere.json" --check
"$RUMOR" agent --config "$CONF" --socket "$WORK/e.sock" --log-level info \
	--tag zone=b --log-json >"$WORK/e.log" 2>&1 &
PID_e=$!
PIDS+=("$PID_e")
check "e starts from the file" until_ok 10 test -S "$WORK/e.sock"
check "a sees e alive (the file's join)" wait_status 10 alive e a
check "flags override the file (--tag zone=b, --log-level info)" eval \
	'R e info --json | json_true "got[\"tags\"] == {\"role\": \"cache\", \"zone\": \"b\"} and got[\"config\"][\"log_level\"] == \"info\" and got[\"config\"][\"probe_interval\"] == \"1500ms\""'
check "--log-json: every line is one JSON object" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "no log"
for l in lines:
    o = json.loads(l)
    assert set(o) == {"time", "level", "text"}, o
' "$WORK/e.log"
check "member transitions are logged at info" \
	grep -q '"level":"info","text":"member a alive' "$WORK/e.log"

"$RUMOR" monitor --socket "$WORK/a.sock" --log-level info >"$WORK/mon.out" 2>&1 &
MON=$!
PIDS+=("$MON")
sleep 0.5
sed -i 's/"cache"/"cache2"/; s/"name": "e"/"name": "e2"/' "$CONF"
kill -HUP "$PID_e"
check "SIGHUP: the file's new tags reach a" until_ok 5 tags_of a e \
	'{"role": "cache2", "zone": "b"}'
check "SIGHUP: says what needs a restart (name)" until_ok 5 grep -q \
	'not applied, restart the agent to change: name' "$WORK/e.log"
cp "$CONF" "$WORK/good.json"
echo '{"tll": 1}' >"$CONF"
kill -HUP "$PID_e"
check "SIGHUP with a bad file: an error line, configuration kept" \
	until_ok 5 grep -q 'unknown key \\"tll\\" (configuration kept)' "$WORK/e.log"
check "the agent still runs, its tags as they were" tags_of a e \
	'{"role": "cache2", "zone": "b"}'
check "rumor monitor streamed a's log (e's update)" \
	until_ok 5 grep -q "INFO member e update" "$WORK/mon.out"
kill "$MON" 2>/dev/null

# --log-level warn: no info lines.
P_f=$(free_port)
check "f starts with --log-level warn" start_agent f "$P_f" --no-encrypt \
	--dns off --http off --log-level warn --join "127.0.0.1:$P_a"
check "a sees f alive" wait_status 10 alive f a
check "f logged no info line" eval '! grep -q " INFO " "$WORK/f.log"'
check "--log-level loud: one line, exit 2" \
	one_line_fails "$RUMOR" agent --no-encrypt --check --log-level loud

# IPv6 is not carried by the protocol yet: said so, not "bad address".
check "--bind [::1]:PORT: one line saying IPv6 is not supported" \
	one_line_fails "$RUMOR" agent --no-encrypt --check --bind "[::1]:$P_f"
grep -q "IPv6 is not supported" "$WORK/err" || fail "IPv6 named: $(cat "$WORK/err")"

finish
