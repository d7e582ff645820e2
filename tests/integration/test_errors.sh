#!/usr/bin/env bash
# Bad input never crashes anything: every mistake on the command line gets
# one line "rumor: ..." on stderr and a non-zero exit within a second, and
# garbage on the agent's socket or gossip port leaves it serving.
. "$(dirname "$0")/lib.sh"

"$RUMOR" keygen >"$WORK/key"

# expect_error CODE DESCRIPTION command...: exactly one stderr line that
# starts with "rumor: ", exit CODE, within 1 s.
expect_error() {
	local code=$1 what=$2; shift 2
	local start end rc lines
	start=$(date +%s%N)
	timeout 5 "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	end=$(date +%s%N)
	lines=$(wc -l <"$WORK/err")
	if [ "$rc" -eq "$code" ] && [ "$lines" -eq 1 ] &&
		grep -q '^rumor: ' "$WORK/err" &&
		[ $(((end - start) / 1000000)) -lt 1000 ]; then
		pass "$what: $(cat "$WORK/err")"
	else
		fail "$what (exit $rc, $lines lines: $(head -c 300 "$WORK/err"))"
	fi
}

P=$(free_port)
A=(agent --name t --bind "127.0.0.1:$P" --socket "$WORK/t.sock")
expect_error 2 "unknown flag" "$RUMOR" agent --tll 5
expect_error 2 "missing flag value" "$RUMOR" agent --name
expect_error 2 "bad duration" "$RUMOR" "${A[@]}" --key-file "$WORK/key" \
	--probe-interval 5parsecs
expect_error 2 "timing out of range" "$RUMOR" "${A[@]}" \
	--key-file "$WORK/key" --probe-timeout 2s
expect_error 2 "bad address" "$RUMOR" agent --bind 127.0.0.1 --no-encrypt
expect_error 2 "neither --key-file nor --no-encrypt" "$RUMOR" "${A[@]}"
expect_error 2 "both --key-file and --no-encrypt" "$RUMOR" "${A[@]}" \
	--key-file "$WORK/key" --no-encrypt
expect_error 1 "missing key file" "$RUMOR" "${A[@]}" \
	--key-file "$WORK/nope.key"
echo 'not base64 at all!' >"$WORK/bad.key"
expect_error 1 "key file with bad base64" "$RUMOR" "${A[@]}" \
	--key-file "$WORK/bad.key"
echo 'c2hvcnQ=' >"$WORK/short.key"
expect_error 1 "key file with a short key" "$RUMOR" "${A[@]}" \
	--key-file "$WORK/short.key"
: >"$WORK/empty.key"
expect_error 1 "empty key file" "$RUMOR" "${A[@]}" \
	--key-file "$WORK/empty.key"
expect_error 1 "unwritable socket path" "$RUMOR" agent --name t \
	--bind "127.0.0.1:$P" --socket /proc/nope/x.sock \
	--key-file "$WORK/key"
expect_error 1 "unwritable data dir" "$RUMOR" "${A[@]}" \
	--key-file "$WORK/key" --data-dir /proc/nope
expect_error 1 "members with no agent" "$RUMOR" members \
	--socket "$WORK/none.sock"
expect_error 2 "members with a bad status filter" "$RUMOR" members \
	--status sleepy
expect_error 2 "unknown command" "$RUMOR" frobnicate

check "a first agent starts" start_agent t "$P" --key-file "$WORK/key"
expect_error 1 "port already in use" "$RUMOR" agent --name u \
	--bind "127.0.0.1:$P" --socket "$WORK/u.sock" --key-file "$WORK/key"
expect_error 1 "socket of a live agent" "$RUMOR" agent --name u \
	--bind "127.0.0.1:$(free_port)" --socket "$WORK/t.sock" \
	--key-file "$WORK/key"
expect_error 1 "data dir of a live agent" "$RUMOR" agent --name u \
	--bind "127.0.0.1:$(free_port)" --socket "$WORK/u.sock" \
	--data-dir "$WORK/t.d" --key-file "$WORK/key"

# Framing for the Python clients: one answer frame, read whole
# (recv with a timeout does not wait for all the bytes asked for).
cat >"$WORK/framing.py" <<'PY'
import struct
def exactly(s, n):
    b = b""
    while len(b) < n:
        k = s.recv(n - len(b))
        if not k:
            raise ConnectionError("closed")
        b += k
    return b
def frame(s):
    return exactly(s, struct.unpack(">I", exactly(s, 4))[0])
PY

# Garbage on the socket: random bytes, a huge length, a truncated frame,
# an unknown op, a non-map, an array bomb, many idle connections.
cat >"$WORK/garbage.py" <<'PY'
import os, socket, struct, sys
from framing import frame
path = sys.argv[1]
import time
def conn():
    for _ in range(100):
        s = socket.socket(socket.AF_UNIX); s.settimeout(2)
        try:
            s.connect(path)
            return s
        except BlockingIOError:  # backlog full: the agent is accepting
            s.close(); time.sleep(0.01)
    raise RuntimeError("agent never accepted")
def reply(s):
    try:
        return frame(s)
    except (socket.timeout, ConnectionError):
        return "closed"
s = conn(); s.sendall(os.urandom(4096)); reply(s); s.close()
print("random: done")
s = conn(); s.sendall(struct.pack(">I", 0xffffffff))
r = reply(s); print("huge:", r, "then", reply(s)); s.close()
s = conn(); s.sendall(struct.pack(">I", 100) + b"\x81\xa2op"); s.close()
print("truncated: sent")
for name, body in (("unknown op", b"\x81\xa2op\xa5dance"),
                   ("not a map", b"\x93\x01\x02\x03"),
                   ("op not a string", b"\x81\xa2op\x07"),
                   ("array bomb", b"\xdd\xff\xff\xff\xff")):
    s = conn(); s.sendall(struct.pack(">I", len(body)) + body)
    r = reply(s); s.close()
    print(name + ":", "error reply" if isinstance(r, bytes) and b"error" in r else r)
# Several requests in one write, and one request a byte at a time.
members = struct.pack(">I", 12) + b"\x81\xa2op\xa7members"
bad = struct.pack(">I", 9) + b"\x81\xa2op\xa4jump"
s = conn(); s.sendall(members + bad + members)
got = [reply(s) for _ in range(3)]; s.close()
print("pipelined:", "in order" if all(isinstance(g, bytes) for g in got) and
      b"members" in got[0] and b"error" in got[1] and b"members" in got[2] else got)
s = conn()
for b in members:
    s.send(bytes([b])); time.sleep(0.001)
r = reply(s); s.close()
print("byte by byte:", "ok" if isinstance(r, bytes) and b"members" in r else r)
# 20,000 requests sent without reading (far more than the socket buffers
# hold): the agent stops reading while its replies wait, and answers all.
import threading
s = conn(); s.settimeout(20)
t = threading.Thread(target=lambda: s.sendall(members * 20000)); t.start()
n = sum(1 for _ in range(20000) if isinstance(reply(s), bytes))
t.join(); s.close()
print("20000 pipelined answered:", n)
idle = [conn() for _ in range(300)]
s = conn(); s.sendall(struct.pack(">I", 12) + b"\x81\xa2op\xa7members")
r = reply(s)
print("members with 300 idle:", "ok" if isinstance(r, bytes) and b"members" in r else r)
for c in idle:
    c.close()
PY
python3 "$WORK/garbage.py" "$WORK/t.sock" >"$WORK/garbage.out" 2>&1
sed 's/^/  /' "$WORK/garbage.out"
check "unknown op gets an error reply" \
	grep -q "unknown op: error reply" "$WORK/garbage.out"
check "a non-map request gets an error reply" \
	grep -q "not a map: error reply" "$WORK/garbage.out"
check "an array bomb gets an error reply" \
	grep -q "array bomb: error reply" "$WORK/garbage.out"
check "pipelined requests are answered in order" \
	grep -q "pipelined: in order" "$WORK/garbage.out"
check "a request sent a byte at a time is answered" \
	grep -q "byte by byte: ok" "$WORK/garbage.out"
check "20,000 requests sent before reading are all answered" \
	grep -q "20000 pipelined answered: 20000" "$WORK/garbage.out"
check "a huge length gets an error frame, then the connection closes" \
	grep -q "huge: .*a request of 4294967295 bytes.* then closed" \
	"$WORK/garbage.out"
check "agent answers with 300 idle connections open" \
	grep -q "members with 300 idle: ok" "$WORK/garbage.out"
check "agent still alive after socket garbage" kill -0 "$PID_t"
check "agent still answers members" [ "$(member_count t)" = 1 ]

# Garbage datagrams at the gossip port are dropped and counted.
cat >"$WORK/udp.py" <<'PY'
import os, socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
port = int(sys.argv[1])
for i in range(200):
    u.sendto(os.urandom(i * 7 % 1500), ("127.0.0.1", port))
u.sendto(b"\x01" + os.urandom(80), ("127.0.0.1", port))
u.sendto(b"\x00" + os.urandom(80), ("127.0.0.1", port))
PY
python3 "$WORK/udp.py" "$P"
sleep 0.3
check "agent survives random datagrams" kill -0 "$PID_t"
drops=$("$RUMOR" stats --socket "$WORK/t.sock" |
	grep -cE '^drop_[a-z_]+ +[1-9]')
check "random datagrams were counted as drops ($drops reasons)" \
	[ "$drops" -ge 2 ]

# A connection that sends nothing is closed after IPC_SERVER_IDLE_MS
# (10 s), with an error frame saying so; one that keeps asking is not,
# nor one that asked once and waits 13 s before asking again (a client
# keeping its connection between calls).
cat >"$WORK/idle.py" <<'PY'
import socket, struct, sys, time
from framing import frame
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1]); s.settimeout(20); return s
quiet, busy, patient = conn(), conn(), conn()
req = struct.pack(">I", 12) + b"\x81\xa2op\xa7members"
patient.sendall(req)
frame(patient)
start = time.time()
for _ in range(13):
    busy.sendall(req)
    frame(busy)
    time.sleep(1)
quiet.settimeout(8)
try:
    why = frame(quiet)  # the agent says why, then closes
    gone = b"without a request" in why and quiet.recv(1) == b""
except (socket.timeout, ConnectionError):
    gone = False
try:
    patient.sendall(req)
    kept = b"without a request" not in frame(patient)
except (socket.timeout, ConnectionError):
    kept = False
print("quiet closed:", gone, "patient kept:", kept, "busy served 13 s")
PY
check "an idle socket connection is closed, a busy one and one between requests are served" \
	sh -c "python3 '$WORK/idle.py' '$WORK/t.sock' | grep -q 'quiet closed: True patient kept: True'"

# Replies that fill the socket while the client does not read: the agent
# stops reading, and answers every request once the client reads.
cat >"$WORK/bigreplies.py" <<'PY'
import socket, struct, sys, threading, time
from framing import frame
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(20)
stats = struct.pack(">I", 10) + b"\x81\xa2op\xa5stats"
t = threading.Thread(target=lambda: s.sendall(stats * 10000)); t.start()
time.sleep(2)
got = 0
try:
    for _ in range(10000):
        got += b"stats" in frame(s)
except (socket.timeout, ConnectionError):
    pass
t.join(); print("big replies answered:", got)
PY
python3 "$WORK/bigreplies.py" "$WORK/t.sock" >"$WORK/big.out" 2>&1
sed 's/^/  /' "$WORK/big.out"
check "10,000 large replies to a client that reads late all arrive" \
	grep -q "answered: 10000" "$WORK/big.out"

# A leave waits for the cluster; when it is answered while earlier
# replies are still being written, its answer comes after them.
PX=$(free_port); PY_=$(free_port)
check "y starts" start_agent y "$PY_" --no-encrypt
check "x joins y" start_agent x "$PX" --no-encrypt --join "127.0.0.1:$PORT_y"
cat >"$WORK/leave.py" <<'PY'
import socket, struct, sys, time
from framing import frame
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(20)
stats = struct.pack(">I", 10) + b"\x81\xa2op\xa5stats"
leave = struct.pack(">I", 10) + b"\x81\xa2op\xa5leave"
s.sendall(stats)
size = 4 + len(frame(s))
# Unread replies fill most of the socket (written at once); then a few
# more than fit, with the leave in the same write: their write is left
# in flight while the leave waits for the cluster, and the leave is done
# before the client reads.
first, second = 180000 // size, 50000 // size
s.sendall(stats * first)
time.sleep(0.5)
s.sendall(stats * second + leave)
# Read once the leave is done (the agent exits 100 ms later).
for _ in range(500):
    if "left the cluster" in open(sys.argv[2]).read():
        break
    time.sleep(0.01)
frames = []
try:
    while True:
        frames.append(frame(s))
except (socket.timeout, ConnectionError):
    pass
want = first + second + 1
print("frames:", "all" if len(frames) == want else "%d of %d" % (len(frames), want),
      "last ok:", bool(frames) and b"stats" not in frames[-1] and b"ok" in frames[-1])
PY
python3 "$WORK/leave.py" "$WORK/x.sock" "$WORK/x.log" >"$WORK/leave.out" 2>&1
sed 's/^/  /' "$WORK/leave.out"
check "a leave answered behind a pending write still arrives, last" \
	grep -q "frames: all last ok: True" "$WORK/leave.out"
for _ in $(seq 50); do kill -0 "$PID_x" 2>/dev/null || break; sleep 0.1; done

# A lone agent leaves at once, and still answers the leave.
P1=$(free_port)
check "a lone agent starts" start_agent solo "$P1" --no-encrypt
check "a lone agent answers its leave" \
	"$RUMOR" leave --socket "$WORK/solo.sock"
for _ in $(seq 50); do kill -0 "$PID_solo" 2>/dev/null || break; sleep 0.1; done
check "and exits" sh -c "! kill -0 $PID_solo 2>/dev/null"

finish
