#!/usr/bin/env bash
# Third-party registration from --config-dir: one JSON file per service,
# found on another agent; SIGHUP adds, changes and removes; a bad file
# stops a starting agent with one line, and leaves a running agent's
# configuration as it was.
. "$(dirname "$0")/lib.sh"

P_a=$(free_port); P_b=$(free_port); P_web=$(free_port)
CONF=$WORK/rumor.d
mkdir "$CONF"
cat >"$CONF/api.json" <<JSON
{"name": "api", "id": "api-1", "address": "127.0.0.1", "port": 9000,
 "tags": ["v1"], "meta": {"k": "v"}}
JSON
cat >"$CONF/web.json" <<JSON
{"name": "web", "port": $P_web,
 "check": {"tcp": "127.0.0.1:$P_web", "interval": "300ms", "timeout": "1s"}}
JSON
echo "not a service" >"$CONF/README"

check "b starts" start_agent b "$P_b" --no-encrypt
check "a starts with a config dir" start_agent a "$P_a" --no-encrypt \
	--join "127.0.0.1:$PORT_b" --config-dir "$CONF"

R() { local who=$1; shift; "$RUMOR" "$@" --socket "$WORK/$who.sock"; }
wait_json() { # wait_json SECONDS WHO NAME PYTHON-CONDITION-ON-got
	local i
	for i in $(seq $(($1 * 10))); do
		R "$2" lookup "$3" --all --json 2>/dev/null | python3 -c "
import json, sys
got = json.load(sys.stdin)
sys.exit(0 if ($4) else 1)" && return 0
		sleep 0.1
	done
	return 1
}
check "b finds api as the file says" wait_json 10 b api \
	'got == [{"node": "a", "id": "api-1", "service": "api", "address": "127.0.0.1", "port": 9000, "tags": ["v1"], "meta": {"k": "v"}, "health": "passing"}]'
check "web is critical while nothing listens on its port" \
	wait_json 10 b web 'len(got) == 1 and got[0]["health"] == "critical"'
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $P_web)); s.listen(16); time.sleep(60)" &
LISTENER=$!
PIDS+=("$LISTENER")
check "and passing once it does (its TCP check)" \
	wait_json 10 b web 'len(got) == 1 and got[0]["health"] == "passing"'

# SIGHUP: api changes, web goes, db comes.
sed -i 's/9000/9001/' "$CONF/api.json"
rm "$CONF/web.json"
echo '{"name": "db", "port": 5432, "check": {"ttl": "30s"}}' >"$CONF/db.json"
kill -HUP "$PID_a"
check "after SIGHUP api has its new port" wait_json 10 b api \
	'len(got) == 1 and got[0]["port"] == 9001'
check "web is gone" wait_json 10 b web 'got == []'
check "db is there" wait_json 10 b db 'len(got) == 1'
check "a socket registration is not touched by a reload" R a register cache --port 1
kill -HUP "$PID_a"
sleep 0.5
check "cache is still there" wait_json 5 b cache 'len(got) == 1'

# A bad file on reload: logged, configuration kept.
echo '{"name": "api", "prot": 1}' >"$CONF/api.json"
kill -HUP "$PID_a"
sleep 0.5
check "a bad file on reload is logged with its name" \
	grep -q "SIGHUP: .*api.json: unknown key" "$WORK/a.log"
check "and the running configuration is kept" wait_json 5 b api \
	'len(got) == 1 and got[0]["port"] == 9001'

# A bad file at start: one line, non-zero exit.
expect_start_fail() { # DESCRIPTION FILE-CONTENT PATTERN
	local dir=$WORK/bad.d
	rm -rf "$dir"; mkdir "$dir"
	printf '%s' "$2" >"$dir/svc.json"
	"$RUMOR" agent --name z --bind "127.0.0.1:$(free_port)" --no-encrypt \
		--socket "$WORK/z.sock" --config-dir "$dir" >/dev/null 2>"$WORK/z.err" &
	local pid=$! rc i
	for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	if kill -0 $pid 2>/dev/null; then
		kill -9 $pid; wait $pid 2>/dev/null
		fail "$1: still running"; return
	fi
	wait $pid; rc=$?
	if [ $rc -ne 0 ] && [ "$(wc -l <"$WORK/z.err")" -eq 1 ] &&
		grep -q "$3" "$WORK/z.err"; then
		pass "$1: $(cat "$WORK/z.err")"
	else
		fail "$1 (exit $rc): $(cat "$WORK/z.err")"
	fi
}
expect_start_fail "JSON syntax" '{"name": "x",' 'svc.json:1: '
expect_start_fail "an unknown key" '{"name": "x", "tgas": []}' 'unknown key'
expect_start_fail "a bad check" '{"name": "x", "check": {"tcp": 5}}' 'check target'
expect_start_fail "a missing name" '{"port": 1}' '"name" is required'
expect_start_fail "a bad duration" '{"name": "x", "check": {"ttl": "ten"}}' 'ttl'
check "a missing config dir is an error too" sh -c \
	"! '$RUMOR' agent --name z2 --bind 127.0.0.1:$(free_port) --no-encrypt --socket '$WORK/z2.sock' --config-dir '$WORK/nope' 2>/dev/null"

{ kill "$LISTENER"; wait "$LISTENER"; } 2>/dev/null
PIDS=("${PIDS[@]/$LISTENER}")
finish
