#!/usr/bin/env bash
# rumor render with a real nginx (Debian's), on loopback: three backends
# registered with TCP checks, nginx proxying to the upstream rumor renders;
# one backend killed: its check fails, the upstream is rendered without it,
# nginx reloads, and requests through nginx keep succeeding (errors
# counted, none after the reload). Also --once, a template syntax error
# (line:column, exit 2; a running render keeps its output), a failing
# --exec (exit code reported, rendering goes on), SIGHUP, a reader that
# never sees half a file, and a lost agent.
. "$(dirname "$0")/lib.sh"

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v curl >/dev/null && [ -x "$NGINX" ] ||
	{ echo "no nginx or curl: .ci/deps --test installs them" >&2; exit 1; }

P_a=$(free_port); P_b=$(free_port)
check "a starts" start_agent a "$P_a" --no-encrypt
check "b joins" start_agent b "$P_b" --no-encrypt --join "127.0.0.1:$PORT_a"
R() { local who=$1; shift; "$RUMOR" "$@" --socket "$WORK/$who.sock"; }

# Three tiny backends, each answering with its name.
cat >"$WORK/backend.py" <<'PY'
import http.server, sys
name = sys.argv[2].encode()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(name) + 1))
        self.end_headers()
        self.wfile.write(name + b"\n")
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
up() { python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null; }
wait_up() { local i; for i in $(seq 50); do up "$1" && return 0; sleep 0.1; done; return 1; }
declare -A BPORT BPID
for i in 1 2 3; do
	BPORT[$i]=$(free_port)
	python3 "$WORK/backend.py" "${BPORT[$i]}" "backend-$i" &
	BPID[$i]=$!
	PIDS+=("$!")
	check "backend $i listens" wait_up "${BPORT[$i]}"
	check "web-$i registered with a TCP check" R a register web --id "web-$i" \
		--address 127.0.0.1 --port "${BPORT[$i]}" \
		--check-tcp "127.0.0.1:${BPORT[$i]}" --interval 300ms --timeout 300ms
done
healthy_on() { # healthy_on WHO NAME: how many healthy instances WHO sees
	R "$1" lookup "$2" --json 2>/dev/null |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
wait_healthy() { # wait_healthy SECONDS WHO NAME COUNT
	local i
	for i in $(seq $(($1 * 10))); do
		[ "$(healthy_on "$2" "$3")" = "$4" ] && return 0
		sleep 0.1
	done
	return 1
}
check "b sees the three backends healthy" wait_healthy 10 b web 3

# The template: the README's, and nginx set up around it.
NG=$WORK/nginx
mkdir -p "$NG/conf.d" "$NG/logs" "$NG/tmp"
cat >"$WORK/upstream.tmpl" <<'EOF'
upstream web {
{{#web}}
    server {{address}}:{{port}};  # {{id}} on {{node}}
{{/web}}
{{^web}}
    server 127.0.0.1:9 down;  # no healthy instance
{{/web}}
}
EOF
P_ng=$(free_port)
cat >"$NG/nginx.conf" <<EOF
worker_processes 1;
error_log $NG/logs/error.log notice;
pid $NG/nginx.pid;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $NG/tmp/body;
    proxy_temp_path $NG/tmp/proxy;
    fastcgi_temp_path $NG/tmp/fastcgi;
    uwsgi_temp_path $NG/tmp/uwsgi;
    scgi_temp_path $NG/tmp/scgi;
    include $NG/conf.d/*.conf;
    server {
        listen 127.0.0.1:$P_ng;
        location / {
            proxy_pass http://web;
            proxy_connect_timeout 1s;
        }
    }
}
EOF
OUT=$NG/conf.d/web.conf
RELOAD="$NGINX -p $NG -c $NG/nginx.conf -s reload"

check "--once renders the upstream and exits 0" \
	R b render --template "$WORK/upstream.tmpl" --out "$OUT" --once
check "with the three backends" [ "$(grep -c '^    server 127.0.0.1:' "$OUT")" = 3 ]
check "nginx accepts the rendered config" "$NGINX" -t -q -p "$NG" -c "$NG/nginx.conf"
"$NGINX" -p "$NG" -c "$NG/nginx.conf" -g 'daemon off;' 2>>"$NG/logs/stderr.log" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
check "nginx listens on 127.0.0.1:$P_ng" wait_up "$P_ng"

# Started directly, not through R: $! must be rumor's own PID.
"$RUMOR" render --template "$WORK/upstream.tmpl" --out "$OUT" --exec "$RELOAD" \
	--wait 200ms:2s --socket "$SOCK_b" >>"$WORK/render.log" 2>&1 &
RENDER_PID=$!
PIDS+=("$RENDER_PID")
wait_log() { # wait_log SECONDS FILE PATTERN [COUNT]: PATTERN COUNT times
	local i
	for i in $(seq $(($1 * 10))); do
		[ "$(grep -c -- "$3" "$2")" -ge "${4:-1}" ] && return 0
		sleep 0.1
	done
	return 1
}
check "render connects" wait_log 10 "$WORK/render.log" "connected to the agent"
sleep 0.5
check "an unchanged output is not rewritten, nginx not reloaded" \
	sh -c "! grep -q -e 'wrote' -e 'exec' '$WORK/render.log'"

through() { curl -s -m 3 "http://127.0.0.1:$P_ng/"; }
check "nginx proxies to all three backends" python3 - "$(for i in $(seq 12); do through; done)" <<'PY'
import sys
seen = set(sys.argv[1].split())
assert seen == {"backend-1", "backend-2", "backend-3"}, seen
PY

# Requests through nginx all along, one line each: time and ok/err.
(
	while :; do
		if [ "$(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$P_ng/")" = 200 ]; then
			echo "$(date +%s.%N) ok"
		else
			echo "$(date +%s.%N) err"
		fi
	done
) >"$WORK/requests.txt" 2>/dev/null &
LOAD_PID=$!
PIDS+=("$LOAD_PID")
sleep 1

t_kill=$(date +%s.%N)
{ kill "${BPID[2]}"; wait "${BPID[2]}"; } 2>/dev/null
lost_backend() { ! grep -q ":${BPORT[2]};" "$OUT"; }
wait_true() { # wait_true SECONDS command...
	local i limit=$(($1 * 10)); shift
	for i in $(seq "$limit"); do "$@" && return 0; sleep 0.1; done
	return 1
}
check "the upstream loses the killed backend" wait_true 10 lost_backend
t_render=$(date +%s.%N)
echo "info: rendered without it $(python3 -c "print(f'{$t_render - $t_kill:.2f}')") s after the kill (check interval 0.3 s, --wait 200ms:2s)"
check "and keeps the other two" [ "$(grep -c '^    server 127.0.0.1:' "$OUT")" = 2 ]
check "nginx reloaded (--exec exited 0)" wait_log 10 "$WORK/render.log" "exec exited 0"
check "nginx says it reconfigured" wait_log 10 "$NG/logs/error.log" "reconfiguring"
t_reload=$(date +%s.%N)
sleep 3
kill "$LOAD_PID"; wait "$LOAD_PID" 2>/dev/null
python3 - "$WORK/requests.txt" "$t_kill" "$t_reload" >"$WORK/requests.sum" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 2]
kill, reload = float(sys.argv[2]), float(sys.argv[3])
err = lambda rows: sum(1 for t, r in rows if r != "ok")
after = [r for r in rows if float(r[0]) > reload]
during = [r for r in rows if kill <= float(r[0]) <= reload]
print(len(rows), err(rows), len(during), err(during), len(after), err(after))
PY
read -r n_all e_all n_during e_during n_after e_after <"$WORK/requests.sum"
echo "info: requests through nginx: $n_all, errors $e_all; between kill and reload $n_during (errors $e_during); after the reload $n_after (errors $e_after)"
check "requests kept flowing after the reload" [ "$n_after" -gt 10 ]
check "no errors after the reload" [ "$e_after" -eq 0 ]
check "the survivors answer" python3 - "$(for i in $(seq 8); do through; done)" <<'PY'
import sys
seen = set(sys.argv[1].split())
assert seen == {"backend-1", "backend-3"}, seen
PY

# SIGHUP: the template is read again and rendered at once.
echo "# rendered by rumor" >>"$WORK/upstream.tmpl"
kill -HUP "$RENDER_PID"
check "SIGHUP re-renders with the new template" \
	wait_log 5 "$OUT" "# rendered by rumor"
check "and reloads nginx again" wait_log 10 "$WORK/render.log" "exec exited 0" 2

# A template with a syntax error: at start, one line and exit 2.
printf 'upstream web {\n{{#web}}\n  server x; {{/db}}\n' >"$WORK/bad.tmpl"
R b render --template "$WORK/bad.tmpl" --out "$WORK/bad.out" --once \
	2>"$WORK/bad.err"
rc=$?
check "a syntax error at start exits 2" [ "$rc" -eq 2 ]
check "with one line naming the line and column" python3 - "$WORK/bad.err" "$WORK/bad.tmpl" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
want = 'rumor: render: %s:3:13: closing tag "db" does not match open section "web" (2:1)' % sys.argv[2]
assert lines == [want], lines
PY
check "and writes nothing" [ ! -e "$WORK/bad.out" ]
# ... and a running render keeps its template and its output.
cp "$OUT" "$WORK/before.conf"
cp "$WORK/upstream.tmpl" "$WORK/good.tmpl"
cp "$WORK/bad.tmpl" "$WORK/upstream.tmpl"
kill -HUP "$RENDER_PID"
check "SIGHUP with a broken template logs line:column" \
	wait_log 5 "$WORK/render.log" "upstream.tmpl:3:13: closing tag"
check "the last good output stays" cmp -s "$OUT" "$WORK/before.conf"
check "render keeps running" kill -0 "$RENDER_PID"
cp "$WORK/good.tmpl" "$WORK/upstream.tmpl"
kill -HUP "$RENDER_PID"

# A failing --exec: its code in one line, retried on the next change only.
echo '{{#cache}}{{port}} {{/cache}}' >"$WORK/cache.tmpl"
"$RUMOR" render --template "$WORK/cache.tmpl" --out "$WORK/cache.out" \
	--exec "exit 3" --wait 0s --socket "$SOCK_b" >>"$WORK/render-fail.log" 2>&1 &
FAIL_PID=$!
PIDS+=("$FAIL_PID")
check "the first render's --exec fails with its code" \
	wait_log 10 "$WORK/render-fail.log" "exec exited 3 (run again on the next change)"
sleep 1
check "and is not retried in a loop" [ "$(grep -c 'exited 3' "$WORK/render-fail.log")" = 1 ]
R a register cache --port 6379 --address 127.0.0.1 >/dev/null
check "the next change renders" wait_log 10 "$WORK/cache.out" "6379"
check "and runs --exec again" wait_log 10 "$WORK/render-fail.log" "exec exited 3" 2

check "--exec-timeout kills a hanging command; --once exits 1" sh -c "
	! '$RUMOR' render --template '$WORK/cache.tmpl' --out '$WORK/hang.out' \
		--exec 'sleep 37; true' --exec-timeout 300ms --once \
		--socket '$SOCK_b' 2>'$WORK/hang.err'"
check "saying so in one line" grep -qx \
	"rumor: render: --exec timed out after 300 ms, killed" "$WORK/hang.err"
check "and leaving nothing behind" sh -c "! pgrep -f 'sleep 3[7]; true' >/dev/null"

# A reader never sees half a file: a 300 KB output rewritten while a
# reader reads it over and over; every read is a whole old or new file.
python3 -c 'print("#" * 99 + "\n", end="")' >"$WORK/line"
for i in $(seq 3000); do cat "$WORK/line"; done >"$WORK/big.tmpl"
echo '{{#flip}}{{port}}{{/flip}}' >>"$WORK/big.tmpl"
echo 'END' >>"$WORK/big.tmpl"
"$RUMOR" render --template "$WORK/big.tmpl" --out "$WORK/big.out" --wait 0s \
	--socket "$SOCK_b" >>"$WORK/render-big.log" 2>&1 &
BIG_PID=$!
PIDS+=("$BIG_PID")
check "the big output is rendered" wait_true 10 test -s "$WORK/big.out"
python3 - "$WORK/big.out" >"$WORK/reader.txt" <<'PY' &
import os, re, sys, time
path, reads, inodes, bad = sys.argv[1], 0, set(), 0
head = (b"#" * 99 + b"\n") * 3000
end = time.time() + 6
while time.time() < end:
    with open(path, "rb") as f:
        inodes.add(os.fstat(f.fileno()).st_ino)
        data = f.read()
    reads += 1
    if not (data.startswith(head) and re.fullmatch(rb"[0-9]*\nEND\n", data[len(head):])):
        bad += 1
print(reads, len(inodes), bad)
PY
READER_PID=$!
for i in $(seq 20); do
	R a register flip --port $((7000 + i)) --address 127.0.0.1 >/dev/null
	sleep 0.25
done
wait "$READER_PID"
read -r reads inodes bad <"$WORK/reader.txt"
echo "info: $reads reads of a file written $(grep -c wrote "$WORK/render-big.log") times, $inodes inodes seen"
check "the file was replaced many times while read" [ "$inodes" -ge 5 ]
check "no read saw a partial file" [ "$bad" -eq 0 ]
check "no temporary file left" sh -c "! ls -a '$WORK' | grep -q '\.tmp$'"

# The agent goes away: the output stays, render waits and comes back.
cp "$OUT" "$WORK/before.conf"
kill -TERM "$PID_b"; wait "$PID_b" 2>/dev/null
check "render says it lost the agent" wait_log 10 "$WORK/render.log" "lost the agent"
check "the output stays" cmp -s "$OUT" "$WORK/before.conf"
check "b comes back" start_agent b "$PORT_b" --no-encrypt --join "127.0.0.1:$PORT_a"
check "render reconnects" wait_log 15 "$WORK/render.log" "connected to the agent" 2
check "one line per state change" [ "$(grep -c 'lost the agent' "$WORK/render.log")" = 1 ]
check "b relearns web" wait_healthy 15 b web 2
sleep 2.5
check "the output is still the two survivors" [ "$(grep -c '^    server 127.0.0.1:' "$OUT")" = 2 ]

kill -TERM "$RENDER_PID"; wait "$RENDER_PID"
check "render exits 0 on SIGTERM" [ $? -eq 0 ]
PIDS=("${PIDS[@]/$RENDER_PID}")
kill -QUIT "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null
for i in 1 3; do { kill "${BPID[$i]}"; wait "${BPID[$i]}"; } 2>/dev/null; done
grep -h -e 'render:' "$WORK/render.log" | sed 's/^/  render.log: /' | tail -n 12
finish
