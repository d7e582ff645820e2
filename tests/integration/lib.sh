# Shared helpers for the integration tests: real rumor agents on 127.0.0.1,
# ephemeral ports, a temp dir, and every started process killed by PID at
# exit. Source it; it sets RUMOR, WORK and a pass/fail counter.
set -u

RUMOR=${RUMOR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/rumor}
[ -x "$RUMOR" ] || { echo "no rumor binary at $RUMOR" >&2; exit 1; }
WORK=$(mktemp -d /tmp/rumor-it.XXXXXX)
PIDS=()
PASSED=0
FAILED=0

cleanup() {
	for pid in "${PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

pass() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
check() { # check "description" command...
	local what=$1; shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
	stop_all
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

# SIGTERM every agent still running: each must leave and exit 0 within
# 10 s, and no agent log may hold a sanitizer report (leaks are reported
# at exit, so this is where an ASan build shows them).
stop_all() {
	local pid live=() i rc
	for pid in "${PIDS[@]}"; do
		kill -0 "$pid" 2>/dev/null && live+=("$pid")
	done
	[ ${#live[@]} -gt 0 ] && kill -TERM "${live[@]}" 2>/dev/null
	for pid in "${live[@]}"; do
		for i in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		wait "$pid" 2>/dev/null
		rc=$?
		[ "$rc" -eq 0 ] || fail "agent pid $pid exited $rc on SIGTERM"
	done
	[ ${#live[@]} -gt 0 ] && pass "${#live[@]} running agents left on SIGTERM and exited 0"
	if grep -l 'Sanitizer' "$WORK"/*.log >/dev/null 2>&1; then
		fail "sanitizer report in $(grep -l 'Sanitizer' "$WORK"/*.log | xargs)"
		grep -h -A20 'Sanitizer' "$WORK"/*.log | head -60
	fi
}

# A free port for both UDP and TCP on 127.0.0.1.
free_port() {
	python3 - <<'EOF'
import random, socket
for _ in range(200):
    p = random.randint(20000, 60000)
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", p))
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM); t.bind(("127.0.0.1", p))
        u.close(); t.close(); print(p); break
    except OSError:
        pass
EOF
}

# launch_agent NAME PORT [flags...]: one attempt; 0 once the socket is up,
# 1 if the agent exited or never got there.
launch_agent() {
	local name=$1 port=$2; shift 2
	"$RUMOR" agent --name "$name" --bind "127.0.0.1:$port" \
		--socket "$WORK/$name.sock" --data-dir "$WORK/$name.d" \
		"$@" >>"$WORK/$name.log" 2>&1 &
	local pid=$!
	PIDS+=("$pid")
	printf -v "PID_$name" %s "$pid"
	printf -v "SOCK_$name" %s "$WORK/$name.sock"
	printf -v "PORT_$name" %s "$port"
	local i
	for i in $(seq 100); do
		[ -S "$WORK/$name.sock" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# start_agent NAME PORT [extra flags...]: runs in the background; sets
# PID_<NAME>, SOCK_<NAME>, PORT_<NAME>; logs to $WORK/NAME.log. If another
# process grabbed PORT since free_port picked it, retries on new ports.
start_agent() {
	local name=$1 port=$2; shift 2
	local try
	for try in 1 2 3 4 5; do
		launch_agent "$name" "$port" "$@" && return 0
		tail -n 1 "$WORK/$name.log" | grep -q 'address already in use' ||
			return 1
		wait "$(eval echo "\$PID_$name")" 2>/dev/null
		port=$(free_port)
		echo "info: $name: port busy, retrying on $port"
	done
	return 1
}

# status_of OBSERVER SUBJECT: the subject's status in the observer's view.
status_of() {
	local sock=$WORK/$1.sock
	"$RUMOR" members --socket "$sock" --json 2>/dev/null | python3 -c '
import json, sys
want = sys.argv[1]
for m in json.load(sys.stdin):
    if m["name"] == want:
        print(m["status"]); break
else:
    print("unknown")' "$2"
}

# wait_status SECONDS STATUS SUBJECT OBSERVER...: poll until every observer
# shows SUBJECT with STATUS; prints the seconds it took.
wait_status() {
	local limit=$1 want=$2 subject=$3; shift 3
	local start now o ok
	start=$(date +%s.%N)
	while :; do
		ok=1
		for o in "$@"; do
			[ "$(status_of "$o" "$subject")" = "$want" ] || { ok=0; break; }
		done
		now=$(date +%s.%N)
		if [ $ok -eq 1 ]; then
			python3 -c "print(f'{$now - $start:.2f}')"
			return 0
		fi
		python3 -c "import sys; sys.exit(0 if $now - $start < $limit else 1)" || return 1
		sleep 0.1
	done
}

member_count() {
	"$RUMOR" members --socket "$WORK/$1.sock" --json 2>/dev/null |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
