#!/usr/bin/env python3
"""Record what real agents send each other on loopback, and send it again.

Used by tests/integration/test_replay.sh. Python 3 standard library only;
recording needs a raw socket (root, or CAP_NET_RAW). Every subcommand
prints one JSON object on stdout when it is done.

  record  --ports P,Q,.. --seconds S --out FILE [--ready FILE]
          every UDP datagram from one of the ports (the agents' gossip
          ports) and every TCP payload sent to one of them (push-pull
          requests, whoever opened the connection), as seen on lo;
          --ready is created once the raw socket listens
  udp     --tape FILE --from PORT --to P,Q,.. --interval-ms MS --seconds S
          every recorded datagram sent from PORT (bound to 127.0.0.1:PORT,
          the dead agent's address), each to every port of --to, again
          and again every MS for S seconds
  tcp     --tape FILE --to P,Q,..
          every recorded push-pull request to one of these ports, sent
          again on a new connection to the agent it was sent to; how many
          got an answer
"""
import argparse
import json
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def ports(text):
    return [int(p) for p in text.split(",") if p]


def cmd_record(a):
    want = set(ports(a.ports))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.ntohs(ETH_P_ALL))
    s.bind(("lo", 0))
    s.settimeout(0.2)
    if a.ready:
        open(a.ready, "w").close()
    udp = []
    flows = {}  # (sport, dport) -> {seq: payload}
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        try:
            frame, where = s.recvfrom(65536)
        except socket.timeout:
            continue
        # Each packet on lo shows twice: keep the incoming copy.
        if where[2] == PACKET_OUTGOING or len(frame) < 14 + 20:
            continue
        if struct.unpack("!H", frame[12:14])[0] != 0x0800:
            continue
        ip = frame[14:]
        ihl = (ip[0] & 0x0f) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        proto = ip[9]
        body = ip[ihl:total]
        if proto == 17 and len(body) >= 8:
            sport, dport = struct.unpack("!HH", body[:4])
            if sport in want:
                udp.append({"sport": sport, "dport": dport,
                            "data": body[8:].hex()})
        elif proto == 6 and len(body) >= 20:
            sport, dport, seq = struct.unpack("!HHI", body[:8])
            off = (body[12] >> 4) * 4
            payload = body[off:]
            if dport in want and payload:
                flows.setdefault((sport, dport), {})[seq] = payload
    streams = []
    for (sport, dport), segs in flows.items():
        data = b"".join(segs[k] for k in sorted(segs))
        streams.append({"sport": sport, "dport": dport, "data": data.hex()})
    with open(a.out, "w") as f:
        json.dump({"udp": udp, "tcp": streams}, f)
    print(json.dumps({"datagrams": len(udp), "streams": len(streams),
                      "stream_bytes": sum(len(x["data"]) // 2
                                          for x in streams)}))


def cmd_udp(a):
    tape = json.load(open(a.tape))
    mine = [bytes.fromhex(d["data"]) for d in tape["udp"]
            if d["sport"] == a.source]
    to = ports(a.to)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", a.source))
    sent = rounds = 0
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        for d in mine:
            for p in to:
                s.sendto(d, ("127.0.0.1", p))
                sent += 1
        rounds += 1
        time.sleep(a.interval_ms / 1000)
    print(json.dumps({"recorded": len(mine), "rounds": rounds,
                      "sent": sent}))


def cmd_tcp(a):
    tape = json.load(open(a.tape))
    sent = answered = 0
    to = set(ports(a.to))
    for st in tape["tcp"]:
        if st["dport"] not in to:
            continue
        c = socket.create_connection(("127.0.0.1", st["dport"]), timeout=3)
        c.sendall(bytes.fromhex(st["data"]))
        sent += 1
        try:
            answered += len(c.recv(65536)) > 0
        except (socket.timeout, ConnectionError):
            pass
        c.close()
    print(json.dumps({"recorded": len(tape["tcp"]), "sent": sent,
                      "answered": answered}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("--ports", required=True)
    r.add_argument("--seconds", type=float, required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--ready")
    u = sub.add_parser("udp")
    u.add_argument("--tape", required=True)
    u.add_argument("--from", dest="source", type=int, required=True)
    u.add_argument("--to", required=True)
    u.add_argument("--interval-ms", type=float, default=100)
    u.add_argument("--seconds", type=float, required=True)
    t = sub.add_parser("tcp")
    t.add_argument("--tape", required=True)
    t.add_argument("--to", required=True)
    a = ap.parse_args()
    {"record": cmd_record, "udp": cmd_udp, "tcp": cmd_tcp}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
