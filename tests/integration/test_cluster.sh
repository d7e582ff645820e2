#!/usr/bin/env bash
# Five real agents on 127.0.0.1: join through one seed, crash detection,
# graceful leave, restart with a higher incarnation, and isolation of
# agents with another key or without encryption.
. "$(dirname "$0")/lib.sh"

"$RUMOR" keygen >"$WORK/key"
"$RUMOR" keygen >"$WORK/other.key"
NODES=(a b c d e)
for n in "${NODES[@]}"; do
	printf -v "P_$n" %s "$(free_port)"
done

check "seed starts" start_agent a "$P_a" --key-file "$WORK/key"
join_start=$(date +%s.%N)
for n in b c d e; do
	p=P_$n
	check "$n starts and joins the seed" \
		start_agent "$n" "${!p}" --key-file "$WORK/key" \
		--join "127.0.0.1:$PORT_a"
done

# all_alive: every agent lists all five, all alive (one call per agent).
all_alive() {
	local o
	for o in "${NODES[@]}"; do
		"$RUMOR" members --socket "$WORK/$o.sock" --json 2>/dev/null |
			python3 -c '
import json, sys
want = set(sys.argv[1:])
got = {m["name"] for m in json.load(sys.stdin) if m["status"] == "alive"}
sys.exit(0 if want <= got else 1)' "${NODES[@]}" || return 1
	done
}
converged=0
deadline=$((SECONDS + 30))
while [ $SECONDS -lt $deadline ]; do
	if all_alive; then converged=1; break; fi
	sleep 0.1
done
t=$(python3 -c "print(f'{$(date +%s.%N) - $join_start:.2f}')")
check "every agent sees all 5 alive" [ $converged -eq 1 ]
[ $converged -eq 1 ] && echo "info: join convergence (4 joins, 5 views) ${t}s"

{ kill -9 "$PID_c"; wait "$PID_c"; } 2>/dev/null
t=$(wait_status 60 failed c a b d e) &&
	{ pass "SIGKILLed agent marked failed by all 4 survivors in ${t}s"
	  echo "info: failure detection (SIGKILL to failed everywhere) ${t}s"; } ||
	fail "SIGKILLed agent marked failed by all 4 survivors"

"$RUMOR" leave --socket "$SOCK_d" >/dev/null
check "leave command succeeds" [ $? -eq 0 ]
t=$(wait_status 30 left d a b e) &&
	pass "left agent shown as left by the other 3 in ${t}s" ||
	fail "left agent shown as left by the other 3"
wait "$PID_d"
check "left agent exited 0" [ $? -eq 0 ]
check "left agent removed its socket" [ ! -e "$SOCK_d" ]

old_inc=$("$RUMOR" members --socket "$SOCK_a" --json | python3 -c '
import json,sys; print([m for m in json.load(sys.stdin) if m["name"]=="c"][0]["incarnation"])')
check "killed agent restarts with its data dir" \
	start_agent c "$PORT_c" --key-file "$WORK/key" --join "127.0.0.1:$PORT_a"
t=$(wait_status 30 alive c a b e) &&
	pass "restarted agent alive again everywhere in ${t}s" ||
	fail "restarted agent alive again everywhere"
new_inc=$("$RUMOR" members --socket "$SOCK_a" --json | python3 -c '
import json,sys; print([m for m in json.load(sys.stdin) if m["name"]=="c"][0]["incarnation"])')
check "restarted agent outranks its old incarnation ($old_inc -> $new_inc)" \
	[ "$new_inc" -gt "$old_inc" ]

# Join retries: f starts first, with two seeds, neither running yet; the
# second one comes up 3 s later, and f must get in by itself.
P_f=$(free_port)
P_g=$(free_port)
P_none=$(free_port)
check "agent starts with seeds that are not up yet" \
	start_agent f "$P_f" --key-file "$WORK/key" \
	--join "127.0.0.1:$P_none" --join "127.0.0.1:$P_g"
sleep 3
check "its second seed starts later" \
	start_agent g "$P_g" --key-file "$WORK/key" --join "127.0.0.1:$PORT_a"
t=$(wait_status 30 alive f g a) &&
	pass "agent got in by retrying its seeds, seen by seed and cluster in ${t}s" ||
	fail "agent got in by retrying its seeds"

P_x=$(free_port)
check "agent with another key starts" \
	start_agent x "$P_x" --key-file "$WORK/other.key" \
	--join "127.0.0.1:$PORT_a"
P_y=$(free_port)
check "agent without encryption starts" \
	start_agent y "$P_y" --no-encrypt --join "127.0.0.1:$PORT_a"
sleep 8
check "agent with another key sees only itself" [ "$(member_count x)" = 1 ]
check "plaintext agent sees only itself" [ "$(member_count y)" = 1 ]
foreign_seen() {
	local o
	for o in a b c e f g; do
		[ "$(status_of "$o" x)$(status_of "$o" y)" = unknownunknown ] ||
			return 1
	done
	[ "$(status_of x y)$(status_of y x)" = unknownunknown ]
}
check "nobody lists the foreign agents, nor they each other" foreign_seen
check "the seed counted the foreign packets as drops" \
	grep -qE "drop (stream )?(unknown_key|plaintext)" "$WORK/a.log"

finish
