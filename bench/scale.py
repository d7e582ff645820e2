#!/usr/bin/env python3
"""Many real agents on one machine: join, idle cost, crash, services, stop.

Run by bench/run-scale.sh inside a network namespace it made (every agent
on its own 127.10.x.y, traffic on the namespace's loopback only), with the
file descriptor and socket buffer limits raised. One process reads every
agent's log through a pipe and time-stamps each line on receipt (as the
shared harness does, ../shared/bench), so rumor and Serf are measured the
same way.

    scale.py --system rumor|serf --n N --bin PATH --out FILE.json
             [--seeds 3] [--window 8] [--services 0] [--crash 10]
             [--idle 30] [--join-cap 120]

Phases, each reported in the JSON summary:
  join     3 seeds, then the others, all started within --window seconds;
           the time (after the seed's start and after the last start) until
           every agent sees every other alive, and each agent's own time
  idle     --idle seconds: RSS and CPU of every agent (from /proc), bytes
           sent per agent per second (the namespace's loopback counters)
  services (rumor, --services S > 0) every agent offers S services named
           svc-0..svc-(S-1) from its --config-dir: the time until every
           agent's catalog holds all N instances of every name, asked over
           each agent's socket (the "services" request)
  crash    --crash agents killed with SIGKILL: when each survivor marks each
           victim failed, against the configuration's bound
  stop     SIGTERM to every agent at once: how many exit 0, and how long
           the last one takes
"""
import argparse
import json
import os
import random
import re
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def ip_of(i):
    return "127.10.%d.%d" % (i // 250, 1 + i % 250)


def name_of(i):
    return "a%04d" % i


# ---- a minimal msgpack codec: what the agent's socket protocol needs -------

def mp_pack(v):
    if isinstance(v, bool):
        return b"\xc3" if v else b"\xc2"
    if isinstance(v, int):
        if v < 128:
            return bytes([v])
        return b"\xcf" + struct.pack(">Q", v)
    if isinstance(v, str):
        b = v.encode()
        if len(b) < 32:
            return bytes([0xa0 | len(b)]) + b
        return b"\xd9" + bytes([len(b)]) + b
    if isinstance(v, dict):
        out = bytes([0x80 | len(v)])
        for k, x in v.items():
            out += mp_pack(k) + mp_pack(x)
        return out
    raise TypeError(v)


def mp_unpack(b, i=0):
    t = b[i]
    i += 1
    if t <= 0x7f:
        return t, i
    if 0x80 <= t <= 0x8f:
        return mp_map(b, i, t & 0x0f)
    if 0x90 <= t <= 0x9f:
        return mp_arr(b, i, t & 0x0f)
    if 0xa0 <= t <= 0xbf:
        n = t & 0x1f
        return b[i:i + n].decode(), i + n
    if t >= 0xe0:
        return t - 256, i
    if t == 0xc0:
        return None, i
    if t in (0xc2, 0xc3):
        return t == 0xc3, i
    if t in (0xcc, 0xcd, 0xce, 0xcf):
        n = {0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8}[t]
        return int.from_bytes(b[i:i + n], "big"), i + n
    if t in (0xd0, 0xd1, 0xd2, 0xd3):
        n = {0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8}[t]
        return int.from_bytes(b[i:i + n], "big", signed=True), i + n
    if t in (0xd9, 0xda, 0xdb):
        n = {0xd9: 1, 0xda: 2, 0xdb: 4}[t]
        ln = int.from_bytes(b[i:i + n], "big")
        i += n
        return b[i:i + ln].decode(), i + ln
    if t in (0xc4, 0xc5, 0xc6):
        n = {0xc4: 1, 0xc5: 2, 0xc6: 4}[t]
        ln = int.from_bytes(b[i:i + n], "big")
        i += n
        return b[i:i + ln], i + ln
    if t in (0xdc, 0xdd):
        n = 2 if t == 0xdc else 4
        return mp_arr(b, i + n, int.from_bytes(b[i:i + n], "big"))
    if t in (0xde, 0xdf):
        n = 2 if t == 0xde else 4
        return mp_map(b, i + n, int.from_bytes(b[i:i + n], "big"))
    raise ValueError("msgpack type 0x%02x" % t)


def mp_map(b, i, n):
    d = {}
    for _ in range(n):
        k, i = mp_unpack(b, i)
        v, i = mp_unpack(b, i)
        d[k] = v
    return d, i


def mp_arr(b, i, n):
    a = []
    for _ in range(n):
        v, i = mp_unpack(b, i)
        a.append(v)
    return a, i


def ask(sock_path, req, timeout=5.0):
    """One request over an agent's socket; the decoded answer."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
        body = mp_pack(req)
        s.sendall(struct.pack(">I", len(body)) + body)
        head = b""
        while len(head) < 4:
            c = s.recv(4 - len(head))
            if not c:
                raise OSError("closed")
            head += c
        n = struct.unpack(">I", head)[0]
        buf = bytearray()
        while len(buf) < n:
            c = s.recv(min(1 << 20, n - len(buf)))
            if not c:
                raise OSError("closed")
            buf += c
        return mp_unpack(bytes(buf))[0]
    finally:
        s.close()


# ---- the systems -----------------------------------------------------------

RUMOR_LINE = re.compile(rb" (?:INFO|WARN) member (\S+) (alive|suspect|failed|left) ")
SERF_LINE = re.compile(rb"\[INFO\] serf: Event(Member(?:Join|Failed|Leave))"
                       rb"(?: \(forced\))?: (\S+)")
SERF_STATE = {b"MemberJoin": b"alive", b"MemberFailed": b"failed",
              b"MemberLeave": b"left"}


def parse_rumor(line):
    m = RUMOR_LINE.search(line)
    return (m.group(1), m.group(2)) if m else None


def parse_serf(line):
    m = SERF_LINE.search(line)
    return (m.group(2), SERF_STATE[m.group(1)]) if m else None


def rumor_argv(o, d, i, seeds):
    a = [o.bin, "agent", "--name", name_of(i), "--bind", ip_of(i) + ":7946",
         "--socket", os.path.join(d, "a.sock"), "--data-dir",
         os.path.join(d, "data"), "--profile", "lan", "--dns", "off",
         "--http", "off", "--key-file", o.key]
    if o.services > 0:
        a += ["--config-dir", os.path.join(d, "conf")]
    for s in seeds:
        a += ["--join", ip_of(s) + ":7946"]
    return a


def serf_argv(o, d, i, seeds):
    a = [o.bin, "agent", "-node=" + name_of(i), "-bind=" + ip_of(i) + ":7946",
         "-advertise=" + ip_of(i) + ":7946",
         "-rpc-addr=" + ip_of(i) + ":7373", "-profile=lan",
         "-log-level=info", "-encrypt=" + o.key]
    for s in seeds:
        a.append("-join=" + ip_of(s) + ":7946")
    return a


class Agent:
    def __init__(self, i, d):
        self.i = i
        self.name = name_of(i).encode()
        self.dir = d
        self.proc = None
        self.start = None
        self.alive = set()
        self.complete_at = None
        self.failed_at = {}
        self.buf = b""


class Run:
    def __init__(self, o):
        self.o = o
        self.sel = selectors.DefaultSelector()
        self.agents = []
        self.by_fd = {}
        self.parse = parse_rumor if o.system == "rumor" else parse_serf
        self.argv = rumor_argv if o.system == "rumor" else serf_argv
        self.root = tempfile.mkdtemp(prefix="rumor-scale-")
        self.incomplete = 0
        self.lines = 0

    # -- log reading ------------------------------------------------------
    def pump(self, until):
        """Read logs until `until` (monotonic)."""
        while True:
            left = until - time.monotonic()
            if left <= 0:
                return
            for key, _ in self.sel.select(timeout=min(left, 0.2)):
                self.read(key.data)

    def read(self, a):
        try:
            chunk = os.read(a.proc.stdout.fileno(), 1 << 16)
        except OSError:
            chunk = b""
        if not chunk:
            self.sel.unregister(a.proc.stdout)
            return
        now = time.monotonic()
        a.buf += chunk
        *lines, a.buf = a.buf.split(b"\n")
        n = self.o.n
        for line in lines:
            ev = self.parse(line)
            if ev is None:
                continue
            self.lines += 1
            who, what = ev
            if who == a.name:
                continue
            if what == b"alive":
                a.alive.add(who)
                if len(a.alive) == n - 1 and a.complete_at is None:
                    a.complete_at = now
                    self.incomplete -= 1
            else:
                a.alive.discard(who)
                if what == b"failed" and who not in a.failed_at:
                    a.failed_at[who] = now

    # -- phases -----------------------------------------------------------
    def start(self):
        o = self.o
        seeds = list(range(min(o.seeds, o.n)))
        t0 = time.monotonic()
        self.t0 = t0
        pace = o.window / max(1, o.n - 1)
        for i in range(o.n):
            d = os.path.join(self.root, name_of(i))
            os.makedirs(d)
            if o.services > 0:
                conf = os.path.join(d, "conf")
                os.makedirs(conf)
                for k in range(o.services):
                    with open(os.path.join(conf, "svc-%d.json" % k), "w") as f:
                        json.dump({"name": "svc-%d" % k, "id": "svc-%d" % k,
                                   "port": 10000 + k}, f)
            a = Agent(i, d)
            # Seed 0 starts alone, seeds 1 and 2 join it, the rest join
            # through all three.
            join = [] if i == 0 else [0] if i < len(seeds) else seeds
            due = t0 + i * pace
            self.pump(due)
            a.proc = subprocess.Popen(self.argv(o, d, i, join), cwd=d,
                                      stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT)
            a.start = time.monotonic()
            os.set_blocking(a.proc.stdout.fileno(), False)
            self.sel.register(a.proc.stdout, selectors.EVENT_READ, a)
            self.agents.append(a)
            self.incomplete += 1
        self.t_last = self.agents[-1].start

    def join(self):
        cap = self.t_last + self.o.join_cap
        while self.incomplete > 0 and time.monotonic() < cap:
            self.pump(time.monotonic() + 0.5)
        done = [a for a in self.agents if a.complete_at is not None]
        own = sorted(a.complete_at - a.start for a in done)
        r = {"agents": self.o.n, "complete": len(done),
             "start_window_s": round(self.t_last - self.t0, 3),
             "log_lines": self.lines}
        if len(done) == self.o.n:
            last = max(a.complete_at for a in done)
            r["all_complete_after_seed_start_s"] = round(last - self.t0, 3)
            r["all_complete_after_last_start_s"] = round(last - self.t_last, 3)
        if own:
            r["own_view_complete_s"] = {
                "p50": round(own[len(own) // 2], 3),
                "p99": round(own[min(len(own) - 1, int(len(own) * .99))], 3),
                "max": round(own[-1], 3)}
        return r

    def proc_sample(self, mem=False):
        """CPU ticks by agent; with mem, also {VmRSS, RssAnon, Pss} in
        bytes (Pss: shared pages divided among the processes sharing
        them, which for 1,000 agents are mostly the same libraries)."""
        cpu, rss = {}, {}
        for a in self.agents:
            if a.proc.poll() is not None:
                continue
            try:
                with open("/proc/%d/stat" % a.proc.pid) as f:
                    st = f.read().rsplit(")", 1)[1].split()
                cpu[a.i] = int(st[11]) + int(st[12])
                if not mem:
                    continue
                m = {}
                for path in ("status", "smaps_rollup"):
                    with open("/proc/%d/%s" % (a.proc.pid, path)) as f:
                        for line in f:
                            k, _, v = line.partition(":")
                            if k in ("VmRSS", "RssAnon", "Pss"):
                                m[k] = int(v.split()[0]) * 1024
                rss[a.i] = m
            except OSError:
                pass
        return cpu, rss

    def idle(self):
        tx0 = read_lo("tx_bytes")
        pk0 = read_lo("tx_packets")
        c0, _ = self.proc_sample()
        w0 = time.monotonic()
        self.pump(w0 + self.o.idle)
        c1, rss = self.proc_sample(mem=True)
        w = time.monotonic() - w0
        tx = read_lo("tx_bytes") - tx0
        pk = read_lo("tx_packets") - pk0
        per = sorted((c1[i] - c0[i]) / CLK_TCK / w * 100
                     for i in c1 if i in c0)
        n = len(rss)

        def dist(key):
            v = sorted(m.get(key, 0) / 2**20 for m in rss.values())
            return {"p50": round(v[n // 2], 2), "max": round(v[-1], 2),
                    "total": round(sum(v), 1)}
        return {
            "window_s": round(w, 1),
            "rss_mib": dist("VmRSS"),
            "rss_anon_mib": dist("RssAnon"),
            "pss_mib": dist("Pss"),
            "cpu_percent_per_agent": {
                "mean": round(sum(per) / len(per), 3),
                "p99": round(per[min(len(per) - 1, int(len(per) * .99))], 3),
                "max": round(per[-1], 3)},
            "cpu_cores_all_agents": round(sum(per) / 100, 3),
            "bytes_per_s_per_agent": round(tx / w / n, 1),
            "packets_per_s_per_agent": round(pk / w / n, 2),
            "note": "loopback counters of the namespace: every datagram "
                    "and stream byte the agents sent, IP headers included"}

    def services(self):
        """Until every agent's catalog holds all N instances of each name."""
        o = self.o
        want = {"svc-%d" % k for k in range(o.services)}
        t_reg = self.t_last
        cap = time.monotonic() + o.join_cap
        pending = list(self.agents)
        done_at = {}
        rounds = 0
        while pending and time.monotonic() < cap:
            rounds += 1
            still = []
            for a in pending:
                self.pump(time.monotonic())
                try:
                    r = ask(os.path.join(a.dir, "a.sock"), {"op": "services"})
                except OSError:
                    still.append(a)
                    continue
                full = {s["name"] for s in r.get("services", [])
                        if s.get("total") == o.n and s.get("healthy") == o.n}
                if want <= full:
                    done_at[a.i] = time.monotonic()
                else:
                    still.append(a)
            pending = still
            if pending:
                self.pump(time.monotonic() + 0.5)
        # One lookup per agent of a random name, answered in full.
        bad = 0
        for a in random.sample(self.agents, min(50, len(self.agents))):
            r = ask(os.path.join(a.dir, "a.sock"),
                    {"op": "lookup", "name": "svc-%d" %
                     random.randrange(o.services), "all": False})
            bad += len(r.get("instances", [])) != o.n
        r = {"services_per_agent": o.services,
             "instances": o.services * o.n,
             "agents_complete": len(done_at), "rounds": rounds,
             "lookups_checked": min(50, len(self.agents)),
             "lookups_short": bad}
        if len(done_at) == o.n:
            r["all_catalogs_complete_after_last_start_s"] = round(
                max(done_at.values()) - t_reg, 3)
        return r

    def crash(self):
        o = self.o
        pool = [a for a in self.agents[o.seeds:]]
        victims = random.sample(pool, min(o.crash, len(pool)))
        names = {v.name for v in victims}
        t = time.monotonic()
        for v in victims:
            v.proc.send_signal(signal.SIGKILL)
        for v in victims:
            v.proc.wait()
            try:
                self.sel.unregister(v.proc.stdout)
            except (KeyError, ValueError):
                pass
        survivors = [a for a in self.agents if a not in victims]
        # The configuration's bound: Lifeguard's longest suspicion
        # (6 x 4 x log10 N probe intervals) after a probe round (1 s)
        # and a probe timeout, plus 2 s for the verdict to spread.
        import math
        bound = 6 * 4 * max(1.0, math.log10(o.n)) + 1 + 0.5 + 2
        cap = t + bound + 30
        while time.monotonic() < cap:
            self.pump(time.monotonic() + 0.5)
            if all(names <= set(a.failed_at) for a in survivors):
                break
        per = []
        seen_all = 0
        for v in victims:
            ts = [a.failed_at.get(v.name) for a in survivors]
            if all(x is not None for x in ts):
                seen_all += 1
                per.append(max(ts) - t)
        return {"victims": len(victims), "seen_failed_by_all": seen_all,
                "bound_s": round(bound, 1),
                "all_survivors_marked_failed_s": {
                    "p50": round(sorted(per)[len(per) // 2], 3) if per else None,
                    "max": round(max(per), 3) if per else None},
                "within_bound": bool(per) and len(per) == len(victims)
                and max(per) <= bound}

    def stop(self):
        live = [a for a in self.agents if a.proc.poll() is None]
        t = time.monotonic()
        for a in live:
            a.proc.send_signal(signal.SIGTERM)
        deadline = t + 60
        codes = {}
        last = t
        while len(codes) < len(live) and time.monotonic() < deadline:
            self.pump(time.monotonic() + 0.2)
            for a in live:
                if a.i not in codes and a.proc.poll() is not None:
                    codes[a.i] = a.proc.returncode
                    last = time.monotonic()
        for a in live:
            if a.proc.poll() is None:
                a.proc.kill()
                a.proc.wait()
        return {"agents": len(live), "exited": len(codes),
                "exit_0": sum(1 for c in codes.values() if c == 0),
                "last_exit_s": round(last - t, 3)}

    def kill_all(self):
        for a in self.agents:
            if a.proc is not None and a.proc.poll() is None:
                a.proc.kill()
                a.proc.wait()


def read_lo(what):
    with open("/sys/class/net/lo/statistics/" + what) as f:
        return int(f.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--system", choices=("rumor", "serf"), required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--key", required=True,
                    help="rumor: a key file; serf: the key itself")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--window", type=float, default=8.0)
    ap.add_argument("--services", type=int, default=0)
    ap.add_argument("--crash", type=int, default=10)
    ap.add_argument("--idle", type=float, default=30.0)
    ap.add_argument("--join-cap", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=1)
    o = ap.parse_args()
    random.seed(o.seed)
    run = Run(o)
    res = {"system": o.system, "n": o.n, "seeds": o.seeds,
           "machine": {"cores": os.cpu_count(),
                       "loadavg_at_start": os.getloadavg()}}
    try:
        run.start()
        res["join"] = run.join()
        print(json.dumps(res["join"]), file=sys.stderr)
        if o.idle > 0:
            res["idle"] = run.idle()
            print(json.dumps(res["idle"]), file=sys.stderr)
        if o.services > 0:
            res["services"] = run.services()
            print(json.dumps(res["services"]), file=sys.stderr)
        if o.crash > 0:
            res["crash"] = run.crash()
            print(json.dumps(res["crash"]), file=sys.stderr)
        res["stop"] = run.stop()
        print(json.dumps(res["stop"]), file=sys.stderr)
    finally:
        run.kill_all()
        subprocess.run(["rm", "-rf", run.root])
    res["machine"]["loadavg_at_end"] = os.getloadavg()
    with open(o.out, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
