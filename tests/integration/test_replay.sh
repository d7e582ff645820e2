#!/usr/bin/env bash
# Replay protection against real agents (issue 14, part 2): everything
# three agents send each other on loopback is recorded (a raw socket on
# lo); c is killed, and its recorded datagrams (acks among them) are sent
# again from its address to a and b every 100 ms for 15 s. c must be
# failed as if nothing were replayed, stay failed, and every replayed
# datagram be dropped and counted. Then every recorded push-pull request
# is sent again to the agent it was for: refused, unanswered, nothing
# changes.
. "$(dirname "$0")/lib.sh"

REPLAY=$(dirname "$0")/replay.py
python3 -c 'import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW)' \
	2>/dev/null || { echo "ok - skipped: no raw socket to record with"; exit 0; }
"$RUMOR" keygen >"$WORK/key"
stat_of() { # stat_of AGENT NAME
	"$RUMOR" stats --socket "$WORK/$1.sock" | awk -v n="$2" '$1 == n {print $2}'
}
json() { # json FILE KEY
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}
refused() { # refused AGENT: datagrams and streams dropped as replays
	echo $(($(stat_of "$1" drop_replayed) + $(stat_of "$1" drop_stale) +
		$(stat_of "$1" drop_auth)))
}
OFF=(--dns off --http off --key-file "$WORK/key")

check "agent a starts" start_agent a "$(free_port)" "${OFF[@]}"
P_b=$(free_port)
P_c=$(free_port)
python3 "$REPLAY" record --ports "$PORT_a,$P_b,$P_c" --seconds 10 \
	--out "$WORK/tape.json" --ready "$WORK/rec.ready" >"$WORK/rec.json" &
rec_pid=$!
PIDS+=("$rec_pid")
for i in $(seq 200); do
	[ -e "$WORK/rec.ready" ] && break
	sleep 0.05
done
check "the recorder listens on lo" [ -e "$WORK/rec.ready" ]
check "agent b joins a" start_agent b "$P_b" "${OFF[@]}" \
	--join "127.0.0.1:$PORT_a"
check "agent c joins a" start_agent c "$P_c" "${OFF[@]}" \
	--join "127.0.0.1:$PORT_a"
"$RUMOR" register web --port 80 --socket "$WORK/c.sock" >/dev/null
check "c is alive for a and b" wait_status 10 alive c a b >/dev/null
wait "$rec_pid"
check "recorded $(json "$WORK/rec.json" datagrams) datagrams and $(json "$WORK/rec.json" streams) push-pull requests" \
	[ "$(json "$WORK/rec.json" datagrams)" -gt 0 ]
check "the tape holds push-pull requests" \
	[ "$(json "$WORK/rec.json" streams)" -gt 0 ]

before_a=$(refused a)
before_b=$(refused b)
{ kill -9 "$PID_c"; wait "$PID_c"; } 2>/dev/null
python3 "$REPLAY" udp --tape "$WORK/tape.json" --from "$PORT_c" \
	--to "$PORT_a,$PORT_b" --interval-ms 100 --seconds 15 \
	>"$WORK/udp.json" &
udp_pid=$!
PIDS+=("$udp_pid")
if t=$(wait_status 14 failed c a b); then
	pass "c failed for a and b ${t}s after it was killed, while its recorded datagrams were replayed every 100 ms"
else
	fail "c not failed within 14 s under replay (a: $(status_of a c), b: $(status_of b c))"
fi
wait "$udp_pid"
sent=$(json "$WORK/udp.json" sent)
check "c is still failed after $sent replayed datagrams ($(json "$WORK/udp.json" recorded) recorded, $(json "$WORK/udp.json" rounds) rounds)" \
	wait_status 1 failed c a b
counted=$(($(refused a) - before_a + $(refused b) - before_b))
kernel=$(($(stat_of a udp_kernel_drops) + $(stat_of b udp_kernel_drops)))
check "every replayed datagram was dropped and counted: $counted of $sent (and $kernel kernel drops); a: replayed $(stat_of a drop_replayed) stale $(stat_of a drop_stale) auth $(stat_of a drop_auth)" \
	[ $((counted + kernel)) -ge "$sent" ]

# The push-pull requests, to the agents they were for (those still up).
before=$(($(refused a) + $(refused b)))
members_a=$("$RUMOR" members --socket "$WORK/a.sock" --json)
python3 "$REPLAY" tcp --tape "$WORK/tape.json" --to "$PORT_a,$PORT_b" \
	>"$WORK/tcp.json"
streams=$(json "$WORK/tcp.json" sent)
sleep 0.5
after=$(($(refused a) + $(refused b)))
check "$streams replayed push-pull requests were refused: $((after - before)) counted" \
	[ "$streams" -gt 0 -a $((after - before)) -ge "$streams" ]
check "and none was answered" [ "$(json "$WORK/tcp.json" answered)" -eq 0 ]
check "a's view did not change" \
	[ "$members_a" = "$("$RUMOR" members --socket "$WORK/a.sock" --json)" ]
check "c is still failed" wait_status 1 failed c a b
finish
