#!/usr/bin/env bash
# The service catalog with real agents on loopback: a service registered on
# one agent is found on the others (table, JSON, tag filter, pick,
# services); SIGKILL of its agent takes it out of healthy lookups
# everywhere; a restart with the same data dir brings it back; deregister
# removes it everywhere; a set too big for one announcement spreads too;
# bad input gets one line and a non-zero exit.
. "$(dirname "$0")/lib.sh"

"$RUMOR" keygen >"$WORK/key"
P_a=$(free_port); P_b=$(free_port); P_c=$(free_port)
check "a starts" start_agent a "$P_a" --key-file "$WORK/key"
check "b joins" start_agent b "$P_b" --key-file "$WORK/key" --join "127.0.0.1:$PORT_a"
check "c joins" start_agent c "$P_c" --key-file "$WORK/key" --join "127.0.0.1:$PORT_a"

R() { local who=$1; shift; "$RUMOR" "$@" --socket "$WORK/$who.sock"; }

# A watcher on c for the whole test (stopped by PID at the end).
"$RUMOR" watch web --socket "$WORK/c.sock" >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH_PID=$!
PIDS+=("$WATCH_PID")
sleep 0.2

check "web registers on a" R a register web --id web-a --port 8080 \
	--address 10.0.0.5 --tag v2 --meta zone=a
check "web registers on b, at b's own address" R b register web --id web-b --port 8081
check "cache registers on b" R b register cache --port 6379

# count_on WHO NAME [flags]: instances a lookup on WHO returns.
count_on() {
	local who=$1 name=$2; shift 2
	R "$who" lookup "$name" --json "$@" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
# wait_count SECONDS WANT WHO NAME [flags]: poll; prints the seconds.
wait_count() {
	local limit=$1 want=$2; shift 2
	local start=$SECONDS i
	for i in $(seq $((limit * 10))); do
		[ "$(count_on "$@" 2>/dev/null)" = "$want" ] && {
			echo $((SECONDS - start)); return 0; }
		sleep 0.1
	done
	return 1
}
check "c finds both web instances" wait_count 10 2 c web
late_watch() {
	timeout 1 "$RUMOR" watch web --socket "$WORK/c.sock" >"$WORK/late.out" 2>/dev/null
	[ "$(grep -c '^added web web-' "$WORK/late.out")" = 2 ]
}
check "a watch that starts late begins with the instances there are" late_watch
check "the JSON is what the docs say" python3 - "$(R c lookup web --tag v2 --json)" <<'PY'
import json, sys
got = json.loads(sys.argv[1])
assert got == [{"node": "a", "id": "web-a", "service": "web", "address": "10.0.0.5",
                "port": 8080, "tags": ["v2"], "meta": {"zone": "a"},
                "health": "passing"}], got
PY
check "an instance without an address gets its agent's" \
	sh -c "'$RUMOR' lookup web --socket '$WORK/c.sock' | grep -q '127.0.0.1:8081'"
picks=$(for i in 1 2 3 4; do R c pick web --policy round-robin; done | sort | uniq -c | wc -l)
check "round-robin picks visit both instances" [ "$picks" = 2 ]
check "services lists counts" python3 - "$(R c services --json)" <<'PY'
import json, sys
got = {s["name"]: (s["healthy"], s["total"]) for s in json.loads(sys.argv[1])}
assert got == {"cache": (1, 1), "web": (2, 2)}, got
PY

{ kill -9 "$PID_a"; wait "$PID_a"; } 2>/dev/null
t=$(wait_count 60 1 c web) &&
	pass "SIGKILL of a takes web-a out of healthy lookups on c in ${t}s" ||
	fail "SIGKILL of a takes web-a out of healthy lookups on c"
check "--all still lists it, critical" sh -c \
	"'$RUMOR' lookup web --all --socket '$WORK/c.sock' | grep web-a | grep -q critical"
check "a restarts with its data dir" start_agent a "$PORT_a" --key-file "$WORK/key" \
	--join "127.0.0.1:$PORT_b"
t=$(wait_count 30 2 c web) &&
	pass "its registration is back and healthy on c in ${t}s" ||
	fail "its registration is back and healthy on c"
check "deregister on b" R b deregister web-b
t=$(wait_count 10 1 a web --all) &&
	pass "deregistration seen on a in ${t}s" || fail "deregistration seen on a"

# A TTL service: passing while it heartbeats, critical everywhere when it
# stops, passing again at the next heartbeat.
check "a TTL service registers on b" R b register cron --port 1 --ttl 2s
check "c sees it healthy" wait_count 10 1 c cron
for i in 1 2 3; do sleep 1; R b pass cron; done
check "heartbeats keep it passing past its TTL" [ "$(count_on c cron)" = 1 ]
t=$(wait_count 10 0 c cron) &&
	pass "without heartbeats it turns critical on c in ${t}s" ||
	fail "without heartbeats it turns critical on c"
check "--all lists it critical" sh -c \
	"'$RUMOR' lookup cron --all --socket '$WORK/c.sock' | grep -q critical"
check "one pass makes it passing again" R b pass cron
check "and c sees it" wait_count 10 1 c cron
expect_pass_fail() { "$RUMOR" pass web-a --socket "$WORK/a.sock" 2>&1 | grep -q "no TTL check"; }
check "pass on a service without TTL says so" expect_pass_fail

# More services than one announcement holds: the set travels in the
# push-pull exchange instead, and reaches the other agents all the same.
for i in $(seq 40); do
	R b register bulk --id "bulk-$i" --port $((9000 + i)) --tag "t$i" \
		--meta "zone=rack-$i" >/dev/null || fail "bulk-$i registers on b"
done
t=$(wait_count 30 40 c bulk) &&
	pass "40 services of b (a large set) seen on c in ${t}s" ||
	fail "40 services of b (a large set) seen on c"
check "and on a" wait_count 30 40 a bulk
check "b serves its large set, c holds it" sh -c \
	"'$RUMOR' stats --socket '$WORK/b.sock' | grep -q '^large_sets_held *1' &&
	 '$RUMOR' stats --socket '$WORK/c.sock' | grep -q '^large_sets_held *1'"
check "deregistering one of them reaches c" R b deregister bulk-40
check "c then has 39" wait_count 30 39 c bulk

# A data dir that cannot be written: the registration is refused, the
# cluster keeps what it had, and a TTL expiry does not spin the agent.
mkdir "$WORK/b.d/services.tmp"
check "a register that cannot be kept is refused" \
	sh -c "! '$RUMOR' register extra --socket '$WORK/b.sock' 2>/dev/null"
check "a deregister that cannot be kept is refused" \
	sh -c "! '$RUMOR' deregister cache --socket '$WORK/b.sock' 2>/dev/null"
sleep 1
check "and the cluster still has cache, not extra" \
	[ "$(count_on c cache)$(count_on c extra)" = 10 ]
inc0=$(R b stats | awk '$1 == "incarnation" {print $2}')
sleep 3 # cron's 2 s TTL expires and cannot be kept
inc1=$(R b stats | awk '$1 == "incarnation" {print $2}')
check "the agent stays responsive, no announcement storm ($inc0 -> $inc1)" \
	[ -n "$inc1" ] && [ $((inc1 - inc0)) -lt 10 ]
rmdir "$WORK/b.d/services.tmp"

sleep 0.5
{ kill "$WATCH_PID"; wait "$WATCH_PID"; } 2>/dev/null
PIDS=("${PIDS[@]/$WATCH_PID}")
sed 's/^/  watch: /' "$WORK/watch.out"
check "watch saw web-a added" grep -q "^added web web-a a 10.0.0.5:8080 passing" "$WORK/watch.out"
check "watch saw web-a go critical when a was killed" \
	grep -q "^health web web-a a 10.0.0.5:8080 critical" "$WORK/watch.out"
check "watch saw web-b removed" grep -q "^removed web web-b b " "$WORK/watch.out"
check "watch saw nothing about cache (filtered by name)" \
	sh -c "! grep -q cache '$WORK/watch.out'"

# expect_fail CODE DESCRIPTION command...: exit CODE, one "rumor: " line.
expect_fail() {
	local code=$1 what=$2; shift 2
	"$@" >/dev/null 2>"$WORK/err"
	local rc=$?
	if [ $rc -eq "$code" ] && [ "$(wc -l <"$WORK/err")" -eq 1 ] &&
		grep -q '^rumor: ' "$WORK/err"; then
		pass "$what: $(cat "$WORK/err")"
	else
		fail "$what (exit $rc): $(cat "$WORK/err")"
	fi
}
expect_fail 2 "a bad service name" R a register "bad name"
expect_fail 2 "a port out of range" R a register web --port 70000
expect_fail 2 "meta without =" R a register web --meta zone
expect_fail 2 "lookup without a name" R a lookup
expect_fail 2 "an unknown pick policy" R a pick web --policy best
expect_fail 1 "deregistering an unknown id" R a deregister nope
expect_fail 1 "picking a service nobody has" R a pick nothing
many=()
for i in $(seq 40); do many+=(--tag "tag-$i"); done
expect_fail 2 "too many tags" R a register web "${many[@]}"

finish
