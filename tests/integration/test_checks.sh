#!/usr/bin/env bash
# Health checks run by the agent for third-party registrations: HTTP (2xx
# is passing), TCP and exec (exit 0 is passing), each with a timeout that
# also kills a hanging command's children; results reach other agents;
# checks survive an agent restart.
. "$(dirname "$0")/lib.sh"

P_a=$(free_port); P_b=$(free_port); P_http=$(free_port)
check "a starts" start_agent a "$P_a" --no-encrypt
check "b joins" start_agent b "$P_b" --no-encrypt --join "127.0.0.1:$PORT_a"

cat >"$WORK/webserver.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 500)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
start_http() {
	python3 "$WORK/webserver.py" "$P_http" &
	HTTP_PID=$!
	PIDS+=("$HTTP_PID")
	for _ in $(seq 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $P_http), 0.2)" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
check "an HTTP server to check" start_http

R() { local who=$1; shift; "$RUMOR" "$@" --socket "$WORK/$who.sock"; }
# health_on WHO ID: the health b shows (or "none").
health_on() {
	R "$1" lookup "$2" --all --json | python3 -c '
import json, sys
got = json.load(sys.stdin)
print(got[0]["health"] if got else "none")'
}
wait_health() { # wait_health SECONDS WANT WHO ID
	local i
	for i in $(seq $(($1 * 10))); do
		[ "$(health_on "$3" "$4")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

check "register api with an HTTP check" R a register api --port "$P_http" \
	--check-http "http://127.0.0.1:$P_http/health" --interval 500ms --timeout 500ms
check "register broken with an HTTP check that gets a 500" R a register broken \
	--check-http "http://127.0.0.1:$P_http/bad" --interval 500ms
check "register db with a TCP check" R a register db \
	--check-tcp "127.0.0.1:$P_http" --interval 500ms
check "register job with an exec check" R a register job \
	--check-exec "test -f '$WORK/flag'" --interval 300ms
check "register hang with a command that never ends" R a register hang \
	--check-exec "sleep 31; true" --interval 500ms --timeout 300ms

check "b sees api passing" wait_health 10 passing b api
check "b sees broken critical (HTTP 500)" wait_health 10 critical b broken
check "b sees db passing (TCP)" wait_health 10 passing b db
check "b sees job critical (exit 1)" wait_health 10 critical b job
touch "$WORK/flag"
check "job turns passing when its command succeeds" wait_health 10 passing b job
rm "$WORK/flag"
check "and critical again when it fails" wait_health 10 critical b job
check "hang is critical (timed out)" wait_health 10 critical b hang
sleep 1
check "timed-out commands leave no process behind" \
	[ "$(pgrep -fc 'sleep 31; true' || true)" -le 1 ]
check "a healthy lookup lists only what passes" python3 - "$(R b lookup api --json)" <<'PY'
import json, sys
got = json.loads(sys.argv[1])
assert len(got) == 1 and got[0]["health"] == "passing", got
PY
check "the cluster never sees the check itself" \
	sh -c "! '$RUMOR' lookup api --json --socket '$WORK/b.sock' | grep -q health/"

{ kill "$HTTP_PID"; wait "$HTTP_PID"; } 2>/dev/null
check "the HTTP server stops: api critical on b" wait_health 10 critical b api
check "db too (TCP)" wait_health 10 critical b db
check "the HTTP server is back" start_http
check "api passing again" wait_health 10 passing b api

kill -TERM "$PID_a"; wait "$PID_a" 2>/dev/null
check "a restarts with its data dir" start_agent a "$PORT_a" --no-encrypt \
	--join "127.0.0.1:$PORT_b"
check "its checks run again: api passing on b" wait_health 15 passing b api
check "and broken still critical" wait_health 10 critical b broken

{ kill "$HTTP_PID"; wait "$HTTP_PID"; } 2>/dev/null
PIDS=("${PIDS[@]/$HTTP_PID}")
finish
