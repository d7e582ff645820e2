#!/usr/bin/env bash
# The DNS interface of real agents on loopback, asked by the real `dig`
# (Debian dnsutils): A and AAAA, SRV with its additional A records, the
# tag and RFC 2782 forms, node names, an instance whose check fails leaving
# the answers within one check interval, truncation over UDP and the whole
# answer over TCP, NXDOMAIN and NOERROR-no-data with the SOA, REFUSED,
# FORMERR for hand-made malformed packets, many clients at once (UDP and
# pipelined TCP), the TCP connection limit, the flags (--dns off, domain,
# TTLs), and glibc's resolver (getent hosts) inside a network namespace the
# test makes, or a printed reason why not.
. "$(dirname "$0")/lib.sh"

command -v dig >/dev/null || { echo "no dig: install dnsutils (.ci/deps --test)"; exit 1; }

P_a=$(free_port); P_b=$(free_port); P_c=$(free_port)
D_a=$(free_port); D_c=$(free_port)
check "a starts with DNS on 127.0.0.1:$D_a" start_agent a "$P_a" --no-encrypt \
	--dns "127.0.0.1:$D_a"
# Before any member with capitals exists (their folded table is empty).
check "a lone agent: an unknown node is NXDOMAIN" sh -c "
	dig @127.0.0.1 -p $D_a +tries=2 +time=2 nobody.node.rumor | grep -q 'status: NXDOMAIN'"
check "b joins, with --dns off" start_agent b "$P_b" --no-encrypt --dns off \
	--join "127.0.0.1:$PORT_a"
check "Cee joins: another domain, TTLs set" start_agent Cee "$P_c" --no-encrypt \
	--join "127.0.0.1:$PORT_a" --dns "127.0.0.1:$D_c" --dns-domain sd.example \
	--dns-ttl 30s --dns-negative-ttl 7s
check "a says where DNS listens" grep -q "dns: listening on 127.0.0.1:$D_a" "$WORK/a.log"
check "b has no DNS interface" sh -c "! grep -q 'dns: listening' '$WORK/b.log'"

R() { local who=$1; shift; "$RUMOR" "$@" --socket "$WORK/$who.sock"; }
q() { dig @127.0.0.1 -p "$D_a" +tries=2 +time=2 "$@"; }
# sorted NAME [TYPE] [flags]: the answer's data, sorted, on one line.
sorted() { q +short "$@" | sort | xargs; }
# status NAME [TYPE] [flags]: NOERROR, NXDOMAIN, ...
status() { q "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
# wait_for SECONDS WANT cmd...: poll until cmd prints WANT; prints seconds.
wait_for() {
	local limit=$1 want=$2; shift 2
	local start now
	start=$(date +%s.%N)
	while :; do
		[ "$("$@" 2>/dev/null)" = "$want" ] && {
			now=$(date +%s.%N)
			python3 -c "print(f'{$now - $start:.2f}')"
			return 0; }
		now=$(date +%s.%N)
		python3 -c "import sys; sys.exit(0 if $now - $start < $limit else 1)" || return 1
		sleep 0.05
	done
}

# ---- records --------------------------------------------------------------
check "web on a (10.0.0.1, tag v1)" R a register web --id web-a --port 80 \
	--address 10.0.0.1 --tag v1
check "web on b (10.0.0.2, tag v2)" R b register web --id web-b --port 81 \
	--address 10.0.0.2 --tag v2
check "api on a and on b at their nodes' address" R a register api --port 9000
check "api on b" R b register Api --id api-b --port 9001
check "A: both web instances" wait_for 10 "10.0.0.1 10.0.0.2" sorted web.service.rumor
check "names ignore case (web.SERVICE.Rumor)" \
	[ "$(sorted WEB.SERVICE.Rumor)" = "10.0.0.1 10.0.0.2" ]
firsts=$(for i in $(seq 20); do q +short web.service.rumor | head -n1; done | sort -u | wc -l)
check "A: the order is shuffled on every answer ($firsts first records in 20)" [ "$firsts" = 2 ]
check "A: TTL 0 by default, aa set, no recursion offered" sh -c "
	out=\$(dig @127.0.0.1 -p $D_a +tries=2 +time=2 web.service.rumor)
	echo \"\$out\" | grep -qE '^web.service.rumor.\s+0\s+IN\s+A\s' &&
	echo \"\$out\" | grep -qE 'flags: qr aa rd;'"
check "AAAA: known service, no IPv6: NOERROR, nothing" sh -c \
	"[ \"\$(dig @127.0.0.1 -p $D_a +short web.service.rumor AAAA)\" = '' ]"
check "AAAA: NOERROR" [ "$(status web.service.rumor AAAA)" = NOERROR ]
check "tag: v2.web.service.rumor is b's only" [ "$(sorted v2.web.service.rumor)" = 10.0.0.2 ]
check "tag: unknown tag is NXDOMAIN" [ "$(status v9.web.service.rumor)" = NXDOMAIN ]
check "SRV: port and target per instance" [ "$(sorted api.service.rumor SRV)" = \
	"1 1 9000 a.node.rumor. 1 1 9001 b.node.rumor." ]
srv_additional() {
	q +noall +additional api.service.rumor SRV | awk '{print $1, $4, $5}' | sort | xargs
}
check "SRV: the targets' A records in the additional section" \
	[ "$(srv_additional)" = "a.node.rumor. A 127.0.0.1 b.node.rumor. A 127.0.0.1" ]
check "SRV: an instance with its own address points at HEX.addr" \
	[ "$(sorted web.service.rumor SRV)" = "1 1 80 0a000001.addr.rumor. 1 1 81 0a000002.addr.rumor." ]
check "SRV: HEX.addr resolves" [ "$(sorted 0a000002.addr.rumor)" = 10.0.0.2 ]
check "SRV: RFC 2782 _api._tcp.service.rumor" [ "$(sorted _api._tcp.service.rumor SRV)" = \
	"1 1 9000 a.node.rumor. 1 1 9001 b.node.rumor." ]
check "SRV: RFC 2782 with a tag, _web._v1" [ "$(sorted _web._v1.service.rumor SRV)" = \
	"1 1 80 0a000001.addr.rumor." ]
check "node: b.node.rumor" [ "$(sorted b.node.rumor)" = 127.0.0.1 ]
check "node: a member with capitals, cee.node.rumor" [ "$(sorted cee.node.rumor)" = 127.0.0.1 ]
check "node: unknown member is NXDOMAIN" [ "$(status zz.node.rumor)" = NXDOMAIN ]

# ---- negative answers, refusals -------------------------------------------
soa_line() { q +noall +authority "$@" | awk '$4 == "SOA" {print $2, $NF}'; }
check "NXDOMAIN for an unknown service" [ "$(status nope.service.rumor)" = NXDOMAIN ]
check "NXDOMAIN carries the SOA, negative TTL 0 by default" \
	[ "$(soa_line nope.service.rumor)" = "0 0" ]
check "REFUSED outside the domain (no recursion)" [ "$(status example.com)" = REFUSED ]
check "REFUSED: no zone transfer" sh -c "
	dig @127.0.0.1 -p $D_a +tries=1 +time=2 rumor AXFR 2>&1 | grep -qiE 'refused|failed'"
check "Cee answers its own domain with its TTL" sh -c "
	dig @127.0.0.1 -p $D_c +tries=2 +time=2 +noall +answer web.service.sd.example |
	grep -qE '^web.service.sd.example.\s+30\s+IN\s+A\s+10.0.0.'"
check "Cee's negative TTL is 7 s (SOA TTL and MINIMUM)" sh -c "
	dig @127.0.0.1 -p $D_c +tries=2 +time=2 +noall +authority nope.service.sd.example |
	awk '\$4 == \"SOA\" {print \$2, \$NF}' | grep -qx '7 7'"
check "Cee refuses rumor. (not its domain)" sh -c "
	dig @127.0.0.1 -p $D_c +tries=2 +time=2 web.service.rumor | grep -q 'status: REFUSED'"

# ---- health: an instance leaves within one check interval ------------------
P_db=$(free_port)
cat >"$WORK/listen.py" <<'PY'
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64); s.settimeout(0.2)
while True:
    try:
        s.accept()[0].close()
    except socket.timeout:
        pass
PY
python3 "$WORK/listen.py" "$P_db" &
LISTEN_PID=$!
PIDS+=("$LISTEN_PID")
check "db on a, TCP check every 1s" R a register db --id db-a --address 10.0.0.9 \
	--port 5432 --check-tcp "127.0.0.1:$P_db" --interval 1s --timeout 500ms
check "db on b, no check" R b register db --id db-b --address 10.0.0.10 --port 5432
check "both db instances answer while the check passes" \
	wait_for 10 "10.0.0.10 10.0.0.9" sorted db.service.rumor
cat >"$WORK/leave.py" <<'PY'
# Stop the checked port's listener, then ask for db's A records every
# 20 ms until only the instance without a check is left: prints how long.
import os, signal, socket, struct, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
q = struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0) + \
    b"\x02db\x07service\x05rumor\x00\x00\x01\x00\x01"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.5)
os.kill(pid, signal.SIGTERM)
t0 = time.monotonic()
while time.monotonic() - t0 < 5:
    s.sendto(q, ("127.0.0.1", port))
    try:
        ans = s.recv(65535)
    except socket.timeout:
        continue
    if struct.unpack(">H", ans[6:8])[0] == 1:
        print(f"{time.monotonic() - t0:.2f}"); sys.exit(0)
    time.sleep(0.02)
sys.exit(1)
PY
took=$(python3 "$WORK/leave.py" "$D_a" "$LISTEN_PID") || took=
wait "$LISTEN_PID" 2>/dev/null
echo "info: db-a left the A answer ${took:-never}s after its port closed (interval 1s)"
check "the failing instance is out within one check interval (1s, +0.5s slack)" \
	python3 -c "import sys; sys.exit(0 if '$took' and float('$took') <= 1.5 else 1)"
check "and out of the SRV answer" [ "$(sorted db.service.rumor SRV)" = \
	"1 1 5432 0a00000a.addr.rumor." ]
check "cache: checked against a closed port" R a register cache --port 6379 \
	--check-tcp "127.0.0.1:$P_db" --interval 1s
check "a service with nothing healthy: NOERROR, no answer" \
	[ "$(status cache.service.rumor)/$(sorted cache.service.rumor)" = "NOERROR/" ]
check "... and the SOA in the authority section" [ "$(soa_line cache.service.rumor)" = "0 0" ]

# ---- truncation: UDP cuts, TCP has it all -----------------------------------
for i in $(seq 1 100); do
	R a register big --id "big-$i" --address "10.1.0.$i" --port $((10000 + i)) ||
		fail "register big-$i"
done
count_a() { q +short "$@" big.service.rumor | grep -c '^10\.1\.0\.'; }
check "all 100 big instances registered" wait_for 10 100 count_a +tcp
udp_plain=$(q +ignore +noedns big.service.rumor)
check "UDP without EDNS: TC set" grep -qE 'flags: qr aa tc' <<<"$udp_plain"
n_plain=$(grep -cE '^big.service.rumor.\s+0\s+IN\s+A' <<<"$udp_plain")
check "UDP without EDNS: fewer instances, within 512 bytes ($n_plain)" \
	python3 -c "import sys; sys.exit(0 if 0 < $n_plain < 100 else 1)"
check "... the message fits 512 bytes" sh -c \
	"grep -q 'MSG SIZE  rcvd: \([1-4][0-9][0-9]\|50[0-9]\|51[0-2]\)\$' <<'EOF'
$udp_plain
EOF"
udp_edns=$(q +ignore +bufsize=1232 big.service.rumor)
n_edns=$(grep -cE '^big.service.rumor.\s+0\s+IN\s+A' <<<"$udp_edns")
check "UDP with EDNS 1232: more, still TC ($n_edns)" sh -c \
	"[ $n_edns -gt $n_plain ] && [ $n_edns -lt 100 ] && grep -q 'flags: qr aa tc' <<'EOF'
$udp_edns
EOF"
check "TCP: the whole answer, no TC" [ "$(count_a +tcp)" = 100 ]
check "dig alone retries over TCP after TC and gets all 100" [ "$(count_a)" = 100 ]
n_srv=$(q +tcp +noall +answer big.service.rumor SRV | grep -c 'IN.SRV')
n_add=$(q +tcp +noall +additional big.service.rumor SRV | grep -c 'IN.A')
check "TCP SRV: 100 records, 100 additional A ($n_srv, $n_add)" [ "$n_srv/$n_add" = 100/100 ]
check "truncations are counted" sh -c \
	"R() { '$RUMOR' \"\$@\" --socket '$WORK/a.sock'; }; [ \$(R stats | awk '\$1==\"dns_truncated\"{print \$2}') -ge 2 ]"

# ---- malformed and hostile packets ------------------------------------------
cat >"$WORK/bad.py" <<'PY'
import socket, struct, sys
port = int(sys.argv[1])
def ask(pkt, wait=1.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(wait)
    s.sendto(pkt, ("127.0.0.1", port))
    try:
        return s.recv(65535)
    except socket.timeout:
        return None
def rcode(ans):
    return None if ans is None else ans[3] & 0x0f
q = b"\x03web\x07service\x05rumor\x00\x00\x01\x00\x01"
hdr = lambda qd, an=0, flags=0x0100: struct.pack(">HHHHHH", 0x1234, flags, qd, an, 0, 0)
cases = [
    ("question cut short", hdr(1) + q[:7], 1),
    ("two questions", hdr(2) + q + q, 1),
    ("an answer record in a query", hdr(1, 1) + q, 1),
    ("a name pointing at itself", hdr(1) + b"\xc0\x0c\x00\x01\x00\x01", 1),
    ("a label past the end", hdr(1) + b"\x3fabc", 1),
    ("opcode 5 (UPDATE)", hdr(1, 0, 0x2800) + q, 4),
]
ok = True
for what, pkt, want in cases:
    got = ask(pkt)
    if rcode(got) != want or got[:2] != b"\x12\x34":
        print(f"not ok: {what}: rcode {rcode(got)}, want {want}"); ok = False
for what, pkt in [("5 bytes", b"\x00\x01\x02\x03\x04"),
                  ("a response (QR set)", hdr(1, 0, 0x8100) + q),
                  ("empty", b"")]:
    got = ask(pkt, 0.5)
    if got is not None:
        print(f"not ok: {what}: answered"); ok = False
good = ask(hdr(1) + q)
if rcode(good) != 0:
    print("not ok: a good query after the bad ones"); ok = False
sys.exit(0 if ok else 1)
PY
check "malformed queries get FORMERR (NOTIMP for UPDATE), junk gets nothing" \
	python3 "$WORK/bad.py" "$D_a"
stat_of() { R a stats | awk -v k="$1" '$1 == k {print $2}'; }
check "FORMERR and drops are counted" sh -c \
	"[ '$(stat_of dns_formerr)' -ge 5 ] && [ '$(stat_of dns_dropped)' -ge 2 ]"

# ---- many clients at once -----------------------------------------------------
cat >"$WORK/many.py" <<'PY'
# 200 UDP clients with one query in flight each (A and SRV, 25 each, with
# retries), and 32 TCP connections pipelining 40 queries in one write each;
# every answer must be NOERROR with the right count of records.
import random, select, socket, struct, sys, threading, time
port = int(sys.argv[1])
def query(qid, name, qtype):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack(">HH", qtype, 1)
def good(ans, qid, qtype):
    if ans is None or len(ans) < 12:
        return False
    rid, flags, _, an = struct.unpack(">HHHH", ans[:8])
    return rid == qid and flags & 0x0f == 0 and an == 2
bad = []
def udp_clients(n=200, per=25):
    socks = []
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setblocking(False)
        socks.append({"s": s, "left": per, "qid": 0, "qtype": 1, "sent": 0, "tries": 0})
    def send(c):
        c["qid"] = random.randrange(65536); c["qtype"] = random.choice([1, 33])
        name = "web.service.rumor" if c["qtype"] == 1 else "api.service.rumor"
        c["s"].sendto(query(c["qid"], name, c["qtype"]), ("127.0.0.1", port))
        c["sent"] = time.monotonic()
    for c in socks:
        send(c)
    by_fd = {c["s"].fileno(): c for c in socks}
    done, deadline = 0, time.monotonic() + 60
    while done < n and time.monotonic() < deadline:
        r, _, _ = select.select([c["s"] for c in socks if c["left"] > 0], [], [], 0.2)
        for s in r:
            c = by_fd[s.fileno()]
            ans = s.recv(65535)
            if not good(ans, c["qid"], c["qtype"]):
                bad.append("udp answer"); continue
            c["left"] -= 1; c["tries"] = 0
            if c["left"] == 0:
                done += 1
            else:
                send(c)
        now = time.monotonic()
        for c in socks:
            if c["left"] > 0 and now - c["sent"] > 1.0:
                c["tries"] += 1
                if c["tries"] > 3:
                    bad.append("udp: no answer after 3 tries"); c["left"] = 0; done += 1
                else:
                    send(c)
    if done < n:
        bad.append("udp: out of time")
def tcp_client(k, per=40):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    ids = [(k * per + i) % 65536 for i in range(per)]
    out = b""
    for i, qid in enumerate(ids):
        m = query(qid, "api.service.rumor", 33 if i % 2 else 1)
        out += struct.pack(">H", len(m)) + m
    s.sendall(out)
    buf = b""
    for i, qid in enumerate(ids):
        while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
            chunk = s.recv(65536)
            if not chunk:
                bad.append("tcp: closed early"); return
            buf += chunk
        size = struct.unpack(">H", buf[:2])[0]
        if not good(buf[2:2 + size], qid, 33 if i % 2 else 1):
            bad.append("tcp answer out of order or wrong")
        buf = buf[2 + size:]
    s.close()
threads = [threading.Thread(target=tcp_client, args=(k,)) for k in range(32)]
for t in threads: t.start()
t0 = time.monotonic()
udp_clients()
for t in threads: t.join()
print(f"info: 5000 UDP and 1280 TCP queries answered in {time.monotonic() - t0:.2f}s, {len(bad)} bad")
for b in sorted(set(bad)):
    print("not ok:", b)
sys.exit(1 if bad else 0)
PY
check "200 UDP clients and 32 pipelining TCP connections at once, all answered" \
	python3 "$WORK/many.py" "$D_a"

cat >"$WORK/flood.py" <<'PY'
# Open 160 TCP connections that send nothing: at most 128 are kept. Then
# wait past the eviction age: a real query over TCP still gets through.
import socket, subprocess, sys, time
port, dig = int(sys.argv[1]), sys.argv[2:]
conns = []
for i in range(160):
    try:
        conns.append(socket.create_connection(("127.0.0.1", port), timeout=2))
    except OSError:
        pass
time.sleep(0.3)
closed = 0
for c in conns:
    c.settimeout(0.01)
    try:
        if c.recv(1) == b"":
            closed += 1
    except socket.timeout:
        pass
    except OSError:
        closed += 1
print(f"info: {len(conns)} connections opened, {closed} closed by the agent")
time.sleep(1.2)
out = subprocess.run(dig, capture_output=True, text=True).stdout.split()
for c in conns:
    c.close()
sys.exit(0 if closed >= 160 - 128 and out else 1)
PY
check "160 idle TCP connections: 128 kept, and a new client still gets in" \
	python3 "$WORK/flood.py" "$D_a" dig @127.0.0.1 -p "$D_a" +tcp +short +tries=1 +time=3 web.service.rumor
echo "info: dns_tcp_conns_refused $(stat_of dns_tcp_conns_refused), dns_tcp_conns_evicted $(stat_of dns_tcp_conns_evicted)"
check "connections over the limit are refused (or evict an idle one), counted" \
	[ $(($(stat_of dns_tcp_conns_refused) + $(stat_of dns_tcp_conns_evicted))) -ge 32 ]

cat >"$WORK/idle.py" <<'PY'
# Half a message, then silence: the agent closes it after ~10 s.
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
s.sendall(b"\x00\x20\x12")
t0 = time.monotonic()
try:
    got = s.recv(1)
except OSError:
    got = b""
took = time.monotonic() - t0
print(f"info: a silent TCP connection was closed after {took:.1f}s")
sys.exit(0 if got == b"" and 8 <= took <= 13 else 1)
PY
check "a TCP connection idle for 10 s is closed" python3 "$WORK/idle.py" "$D_a"
check "the agent still answers" [ "$(sorted v1.web.service.rumor)" = 10.0.0.1 ]

# ---- a member that leaves ----------------------------------------------------
kill -TERM "$PID_b"; wait "$PID_b" 2>/dev/null
check "b left: b.node.rumor is NXDOMAIN" wait_for 10 NXDOMAIN status b.node.rumor
check "b left: its web instance is gone from the answer" \
	[ "$(sorted web.service.rumor)" = 10.0.0.1 ]

# ---- the explicit address is a promise, the default one is not ---------------
check "--dns on a port in use: one line, exit 1" sh -c "
	out=\$('$RUMOR' agent --name x --bind 127.0.0.1:$(free_port) --no-encrypt \
		--socket '$WORK/x.sock' --dns 127.0.0.1:$D_a 2>&1); rc=\$?
	[ \$rc = 1 ] && [ \"\$out\" = 'rumor: dns: bind udp 127.0.0.1:$D_a: address already in use' ]"
check "--dns with a bad value: exit 2" sh -c "
	'$RUMOR' agent --no-encrypt --dns localhost 2>&1 | grep -q 'rumor: agent: --dns: bad address'"
check "--dns-ttl in fractions of a second: exit 2" sh -c "
	'$RUMOR' agent --no-encrypt --dns-ttl 1500ms 2>&1 | grep -q 'whole seconds'"

# ---- glibc's resolver, inside a network namespace of our own -------------------
getent_in_netns() {
	local ns=rumor-dns-$$ port
	port=$(free_port)
	if [ "$(id -u)" -ne 0 ] || ! ip netns add "$ns" 2>/dev/null; then
		echo "skip: getent hosts: cannot make a network namespace (needs root and ip netns)"
		return 0
	fi
	ip netns exec "$ns" ip link set lo up
	echo "nameserver 127.0.0.1" >"$WORK/resolv.conf"
	printf 'hosts: files dns\n' >"$WORK/nsswitch.conf"
	ip netns exec "$ns" "$RUMOR" agent --name g --bind "127.0.0.1:$port" --no-encrypt \
		--socket "$WORK/g.sock" --dns 127.0.0.1:53 >"$WORK/g.log" 2>&1 &
	local pid=$!
	PIDS+=("$pid")
	local i
	for i in $(seq 100); do [ -S "$WORK/g.sock" ] && break; sleep 0.05; done
	"$RUMOR" register web --address 10.9.8.7 --port 80 --socket "$WORK/g.sock" >/dev/null
	# ip netns exec gives the command a mount namespace of its own: the
	# resolver's files are bound over /etc's there and nowhere else.
	local got
	got=$(ip netns exec "$ns" sh -c "
		mount --bind '$WORK/resolv.conf' /etc/resolv.conf &&
		mount --bind '$WORK/nsswitch.conf' /etc/nsswitch.conf &&
		getent hosts web.service.rumor" | awk '{print $1}')
	kill -TERM "$pid"; wait "$pid" 2>/dev/null
	ip netns del "$ns"
	[ "$got" = 10.9.8.7 ] || { echo "getent said: '$got'"; return 1; }
	echo "info: getent hosts web.service.rumor -> $got (glibc, via the agent on :53)"
}
check "glibc resolves web.service.rumor through the agent (getent hosts)" getent_in_netns

finish
