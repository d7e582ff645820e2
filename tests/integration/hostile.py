#!/usr/bin/env python3
"""A hostile network and hostile local clients, against one real agent.

Used by tests/integration/test_hostile.sh (short runs) and
bench/run-hostile.sh (the full minute). Python 3 standard library only.
Every subcommand prints one JSON object on stdout when it is done.

Outside attacker, without the key (it may know the key id: it is in the
clear in every sealed frame, so --key is only used to compute it):
  udp-flood   random, truncated, bit-flipped, plaintext and oversize
              datagrams at --rate per second for --seconds
  tcp-idle    --count connections to the push-pull port that send nothing
              (or a few bytes of a frame), reopened when the agent closes
              them, for --seconds; from --sources loopback addresses
  tcp-big     --count connections each announcing a 20 MiB frame and
              sending all of it but the last byte (the old framing)
  tcp-garbage random and bit-flipped frames, slow senders
Local clients (the agent's Unix socket):
  ipc-latency a lookup every --interval-ms for --seconds: latency p50,
              p99, p99.9 and max in milliseconds
  ipc-idle    --count idle connections held for --seconds
  ipc-huge    frames declaring huge lengths; the replies
  ipc-register --count registrations as fast as the agent answers
  ipc-slow-watch a watcher that never reads, held for --seconds
Measuring:
  rss         peak and last RSS (kB) of --pid sampled every 100 ms, and
              its CPU time and time spent waiting for a CPU meanwhile
"""
import argparse
import hashlib
import json
import os
import random
import socket
import struct
import sys
import threading
import time

# Datagrams are kind 3 since replay protection (kind 1, the first version,
# is refused by its kind byte alone: not worth flooding).
SEAL_KIND_PLAIN, SEAL_KIND_STREAM, SEAL_KIND_DATAGRAM = 0, 2, 3
SEAL_OVERHEAD = 1 + 4 + 24 + 16
DATAGRAM_MAX = 1400


def addr(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def key_id(path):
    """keyring_key_id: the first 4 bytes of BLAKE2b-256(key), little
    endian, of the file's first key (what a sniffer reads off the wire)."""
    import base64
    with open(path) as f:
        key = base64.b64decode(f.readline().strip())
    return struct.unpack("<I", hashlib.blake2b(key, digest_size=32).digest()[:4])[0]


def sealed_like(rng, kid, kind, size):
    """A frame that passes every check before the AEAD: right kind, right
    key id, random nonce and ciphertext."""
    body = rng.randbytes(max(size - 5, 0))
    return bytes([kind]) + struct.pack("<I", kid) + body


def flip(rng, data):
    b = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def datagram_pool(rng, kid, n=4096):
    """Packets of every shape, built once and sent in a cycle."""
    pool = []
    kinds = ("random", "truncated", "sealed", "flipped", "plain",
             "oversize", "empty")
    for i in range(n):
        k = kinds[i % len(kinds)]
        if k == "random":
            p = rng.randbytes(rng.randint(1, DATAGRAM_MAX))
        elif k == "truncated":
            p = sealed_like(rng, kid, SEAL_KIND_DATAGRAM,
                            rng.randint(1, SEAL_OVERHEAD - 1))
        elif k == "sealed":
            p = sealed_like(rng, kid, SEAL_KIND_DATAGRAM,
                            rng.randint(SEAL_OVERHEAD, DATAGRAM_MAX))
        elif k == "flipped":
            p = flip(rng, sealed_like(rng, kid, SEAL_KIND_DATAGRAM,
                                      rng.randint(SEAL_OVERHEAD + 20, 600)))
        elif k == "plain":
            p = bytes([SEAL_KIND_PLAIN]) + rng.randbytes(rng.randint(0, 200))
        elif k == "oversize":
            p = rng.randbytes(rng.randint(DATAGRAM_MAX + 1, 9000))
        else:
            p = b"\x02"  # a stream kind byte alone
        pool.append(p)
    return pool


def cmd_udp_flood(a):
    rng = random.Random(a.seed)
    kid = key_id(a.key) if a.key else rng.getrandbits(32)
    pool = datagram_pool(rng, kid)
    target = addr(a.target)
    socks = []
    for i in range(a.sources):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        if a.source_net:
            s.bind((f"{a.source_net}.{i + 1}", 0))
        s.setblocking(False)
        socks.append(s)
    sent = errors = 0
    start = time.monotonic()
    end = start + a.seconds
    tick = 0.002
    per_tick = max(1, int(a.rate * tick))
    next_t = start
    i = 0
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if now < next_t:
            time.sleep(next_t - now)
        next_t += tick
        # Behind schedule (the CPU is shared): catch up, but no faster
        # than the rate asked for over the whole run.
        due = int((time.monotonic() - start) * a.rate) - sent - errors
        for _ in range(min(max(due, 0), per_tick * 4)):
            p = pool[i % len(pool)]
            try:
                socks[i % len(socks)].sendto(p, target)
                sent += 1
            except OSError:
                errors += 1
            i += 1
    took = time.monotonic() - start
    print(json.dumps({"sent": sent, "errors": errors, "seconds": round(took, 2),
                      "rate": round(sent / took)}))


def hold_connections(target, count, seconds, sources, source_net, payload,
                     stats):
    """Keep `count` connections open, each having sent `payload`; the ones
    the agent closes are opened again until the time is up."""
    conns = {}
    end = time.monotonic() + seconds
    n = 0
    import selectors
    sel = selectors.DefaultSelector()

    def open_one(slot):
        nonlocal n
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        if source_net:
            s.bind((f"{source_net}.{slot % sources + 1}", 0))
        s.setblocking(False)
        try:
            s.connect(target)
        except BlockingIOError:
            pass
        except OSError:
            stats["connect_errors"] += 1
            s.close()
            return
        n += 1
        stats["opened"] += 1
        conns[s] = (slot, False)
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)

    for slot in range(count):
        open_one(slot)
    while time.monotonic() < end:
        for key, ev in sel.select(timeout=0.05):
            s = key.fileobj
            slot, sent = conns[s]
            if ev & selectors.EVENT_WRITE and not sent:
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                    ev = selectors.EVENT_READ  # failed: reopen below
                else:
                    if payload:
                        try:
                            s.send(payload)
                        except OSError:
                            pass
                    conns[s] = (slot, True)
                    sel.modify(s, selectors.EVENT_READ)
                    continue
            if ev & selectors.EVENT_READ:
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                if data:
                    continue
                stats["closed_by_agent"] += 1
                sel.unregister(s)
                del conns[s]
                s.close()
                open_one(slot)
        if len(conns) < count:
            for slot in range(count - len(conns)):
                open_one(slot)
    stats["open_at_end"] = len(conns)
    for s in list(conns):
        s.close()


def cmd_tcp_idle(a):
    stats = {"opened": 0, "closed_by_agent": 0, "connect_errors": 0}
    payload = b""
    if a.partial:
        # The first bytes of a plausible frame, never finished.
        payload = struct.pack(">I", 53) + bytes([SEAL_KIND_STREAM]) + b"\0\0"
    hold_connections(addr(a.target), a.count, a.seconds, a.sources,
                     a.source_net, payload, stats)
    print(json.dumps(stats))


def cmd_tcp_big(a):
    """Each connection announces a 20 MiB frame and sends all but its last
    byte; they stay open for --hold seconds. How much the agent took is
    what it buffered (before the fix: all of it)."""
    target = addr(a.target)
    size = 20 * 1024 * 1024
    chunk = os.urandom(1 << 16)
    taken = [0] * a.count
    refused = [0]

    def one(i):
        s = socket.socket()
        if a.source_net:
            s.bind((f"{a.source_net}.{i % a.sources + 1}", 0))
        s.settimeout(a.hold)
        try:
            s.connect(target)
            s.sendall(struct.pack(">I", size) + bytes([SEAL_KIND_STREAM]))
            left = size - 2
            while left > 0:
                n = s.send(chunk[:min(left, len(chunk))])
                left -= n
                taken[i] += n
            time.sleep(a.hold)
        except OSError:
            refused[0] += 1
        finally:
            s.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(a.count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"connections": a.count, "bytes_taken": sum(taken),
                      "cut_off": refused[0]}))


def cmd_tcp_garbage(a):
    """Random frames, sealed-looking frames with a real key id, flipped
    ones, a slow trickle of a header: each on its own connection."""
    rng = random.Random(a.seed)
    kid = key_id(a.key) if a.key else rng.getrandbits(32)
    target = addr(a.target)
    results = {"sent": 0, "closed_by_agent": 0, "answered": 0}
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        shape = rng.randrange(5)
        if shape == 0:
            data = rng.randbytes(rng.randint(1, 4096))
        elif shape == 1:
            body = sealed_like(rng, kid, SEAL_KIND_STREAM, 53)
            data = struct.pack(">I", len(body)) + body
        elif shape == 2:
            body = flip(rng, sealed_like(rng, kid, SEAL_KIND_STREAM, 53))
            data = struct.pack(">I", len(body)) + body
        elif shape == 3:
            data = struct.pack(">I", rng.choice((0, 1, 0xffffffff,
                                                 20 << 20, 65609)))
        else:
            body = sealed_like(rng, kid, SEAL_KIND_STREAM, 2000)
            data = struct.pack(">I", len(body)) + body
        s = socket.socket()
        s.settimeout(3)
        try:
            s.connect(target)
            s.sendall(data)
            results["sent"] += 1
            got = s.recv(4096)
            results["answered" if got else "closed_by_agent"] += 1
        except OSError:
            results["closed_by_agent"] += 1
        finally:
            s.close()
    print(json.dumps(results))


# ---- the local socket ------------------------------------------------------

def mp_str(s):
    b = s.encode()
    assert len(b) < 32
    return bytes([0xa0 | len(b)]) + b


def request(fields):
    """A msgpack map of str -> str|bool|bin, framed."""
    body = bytes([0x80 | len(fields)])
    for k, v in fields.items():
        body += mp_str(k)
        if isinstance(v, bool):
            body += b"\xc3" if v else b"\xc2"
        elif isinstance(v, bytes):
            body += b"\xc4" + bytes([len(v)]) + v
        else:
            body += mp_str(v)
    return struct.pack(">I", len(body)) + body


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


def ipc_connect(path, timeout=5):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(path)
    return s


def percentiles(samples):
    samples = sorted(samples)
    if not samples:
        return {}

    def q(p):
        return round(samples[min(len(samples) - 1, int(p * len(samples)))], 3)
    return {"n": len(samples), "p50_ms": q(0.5), "p99_ms": q(0.99),
            "p999_ms": q(0.999), "max_ms": round(samples[-1], 3)}


def cmd_ipc_latency(a):
    """A lookup every interval on one connection (reconnecting if the agent
    closes it), timed from send to the whole reply."""
    req = request({"op": "lookup", "name": a.name})
    lat = []
    failures = 0
    reasons = []
    s = None
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        try:
            if s is None:
                s = ipc_connect(a.socket)
            t0 = time.perf_counter()
            s.sendall(req)
            r = frame(s)
            lat.append((time.perf_counter() - t0) * 1000)
            if b"instances" not in r:
                failures += 1
                if len(reasons) < 5:
                    reasons.append(r[:120].decode("utf-8", "replace"))
        except OSError as e:
            failures += 1
            if len(reasons) < 5:
                reasons.append(repr(e))
            if s is not None:
                s.close()
            s = None
        time.sleep(a.interval_ms / 1000)
    out = percentiles(lat)
    out["failures"] = failures
    out["failure_reasons"] = reasons
    print(json.dumps(out))


def cmd_ipc_idle(a):
    conns = []
    refused = 0
    for _ in range(a.count):
        try:
            conns.append(ipc_connect(a.socket, 2))
        except OSError:
            refused += 1
    time.sleep(a.seconds)
    # What the agent did with them: closed with an error frame, or open.
    closed = errored = 0
    for s in conns:
        s.setblocking(False)
        try:
            d = s.recv(65536)
            if d == b"":
                closed += 1
            elif b"error" in d:
                errored += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        s.close()
    print(json.dumps({"opened": len(conns), "refused": refused,
                      "closed": closed, "error_frames": errored}))


def cmd_ipc_huge(a):
    out = {}
    for name, prefix in (("4GiB", 0xffffffff), ("64KiB+1", 65537),
                         ("1GiB", 1 << 30)):
        s = ipc_connect(a.socket)
        try:
            s.sendall(struct.pack(">I", prefix) + b"\x81")
            r = frame(s)
            out[name] = r[:200].decode("utf-8", "replace")
        except (OSError, ConnectionError) as e:
            out[name] = "closed: " + str(e)
        s.close()
    print(json.dumps(out))


def cmd_ipc_capture(a):
    """Stand in for the agent once: record the first request frame a
    client sends (`rumor register ...` run meanwhile) and answer ok. The
    service codec is not re-implemented here: ipc-register replays it."""
    try:
        os.unlink(a.socket)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(a.socket)
    srv.listen(1)
    srv.settimeout(10)
    c, _ = srv.accept()
    c.settimeout(5)
    body = frame(c)
    with open(a.out, "wb") as f:
        f.write(struct.pack(">I", len(body)) + body)
    ok = b"\x81\xa2ok\xc3"
    c.sendall(struct.pack(">I", len(ok)) + ok)
    c.close()
    srv.close()
    os.unlink(a.socket)
    print(json.dumps({"captured": len(body)}))


def cmd_ipc_register(a):
    """Replays one captured register request (its bytes from --request, as
    the client library sends it) with the id rewritten per request, as
    fast as the agent answers, pipelined by --depth."""
    with open(a.request, "rb") as f:
        tmpl = f.read()
    marker = a.marker.encode()
    assert marker in tmpl
    ok = limit = other = 0
    codes = {}
    s = ipc_connect(a.socket, 30)
    t0 = time.monotonic()
    i = 0
    pending = 0
    while i < a.count or pending:
        while i < a.count and pending < a.depth:
            sid = b"%0*d" % (len(marker), i % (10 ** len(marker)))
            s.sendall(tmpl.replace(marker, sid))
            i += 1
            pending += 1
        r = frame(s)
        pending -= 1
        if b"\xa2ok\xc3" in r:
            ok += 1
        else:
            j = r.find(b"\xa4code")
            code = r[j + 5] - 256 if j >= 0 and r[j + 5] >= 0xe0 else None
            codes[code] = codes.get(code, 0) + 1
    took = time.monotonic() - t0
    print(json.dumps({"sent": a.count, "ok": ok, "refused_by_code":
                      {str(k): v for k, v in codes.items()},
                      "seconds": round(took, 2)}))


def cmd_ipc_slow_watch(a):
    s = ipc_connect(a.socket)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(request({"op": "watch"}))
    time.sleep(a.seconds)
    # Now read everything: the agent's last frame says why it stopped.
    s.settimeout(5)
    frames = 0
    last = b""
    try:
        while True:
            last = frame(s)
            frames += 1
    except (OSError, ConnectionError):
        pass
    print(json.dumps({"frames": frames,
                      "last": last[:160].decode("utf-8", "replace")}))


def schedstat(pid):
    """Nanoseconds on a CPU and waiting for one (runnable, not running)."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            run, wait, _ = f.read().split()
        return int(run), int(wait)
    except (OSError, ValueError):
        return 0, 0


def cmd_rss(a):
    """Peak and last RSS, and the CPU time the process used and spent
    waiting for a CPU meanwhile (a loaded machine shows in the second)."""
    peak = last = 0
    run0, wait0 = schedstat(a.pid)
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        try:
            with open(f"/proc/{a.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        last = int(line.split()[1])
                        peak = max(peak, last)
        except OSError:
            break
        time.sleep(0.1)
    run1, wait1 = schedstat(a.pid)
    print(json.dumps({"peak_rss_kb": peak, "last_rss_kb": last,
                      "cpu_ms": (run1 - run0) // 1000000,
                      "cpu_wait_ms": (wait1 - wait0) // 1000000}))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("udp-flood")
    c.add_argument("--target", required=True)
    c.add_argument("--rate", type=int, default=50000)
    c.add_argument("--seconds", type=float, default=10)
    c.add_argument("--key")
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--sources", type=int, default=1)
    c.add_argument("--source-net")
    c = sub.add_parser("tcp-idle")
    c.add_argument("--target", required=True)
    c.add_argument("--count", type=int, default=1000)
    c.add_argument("--seconds", type=float, default=10)
    c.add_argument("--sources", type=int, default=1)
    c.add_argument("--source-net")
    c.add_argument("--partial", action="store_true")
    c = sub.add_parser("tcp-big")
    c.add_argument("--target", required=True)
    c.add_argument("--count", type=int, default=128)
    c.add_argument("--hold", type=float, default=5)
    c.add_argument("--sources", type=int, default=1)
    c.add_argument("--source-net")
    c = sub.add_parser("tcp-garbage")
    c.add_argument("--target", required=True)
    c.add_argument("--seconds", type=float, default=5)
    c.add_argument("--key")
    c.add_argument("--seed", type=int, default=1)
    c = sub.add_parser("ipc-latency")
    c.add_argument("--socket", required=True)
    c.add_argument("--seconds", type=float, default=10)
    c.add_argument("--interval-ms", type=float, default=10)
    c.add_argument("--name", default="web")
    c = sub.add_parser("ipc-idle")
    c.add_argument("--socket", required=True)
    c.add_argument("--count", type=int, default=1000)
    c.add_argument("--seconds", type=float, default=3)
    c = sub.add_parser("ipc-huge")
    c.add_argument("--socket", required=True)
    c = sub.add_parser("ipc-capture")
    c.add_argument("--socket", required=True)
    c.add_argument("--out", required=True)
    c = sub.add_parser("ipc-register")
    c.add_argument("--socket", required=True)
    c.add_argument("--request", required=True)
    c.add_argument("--marker", default="IDIDIDIDID")
    c.add_argument("--count", type=int, default=100000)
    c.add_argument("--depth", type=int, default=64)
    c = sub.add_parser("ipc-slow-watch")
    c.add_argument("--socket", required=True)
    c.add_argument("--seconds", type=float, default=10)
    c = sub.add_parser("rss")
    c.add_argument("--pid", required=True)
    c.add_argument("--seconds", type=float, default=10)
    a = p.parse_args()
    globals()["cmd_" + a.cmd.replace("-", "_")](a)


if __name__ == "__main__":
    main()
