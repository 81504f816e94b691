#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Raw generic-netlink client for the "ntbypass" family, for selftests.

The nettune CLI validates rules before it sends them; this helper sends
exactly what it is told (port 0, upside-down ranges, /33 prefixes, ...) so
the tests can prove the *kernel* refuses them with its extack message.

  ntb.py add proto=6 dport=80[-90] [sport=..] [family=4|6] [src=ADDR/LEN]
             [dst=ADDR/LEN] [iif=IDX] [iifname=NAME] [oif=..] [oifname=..]
             [both] [id=N]            -> prints "id N"
  ntb.py del id=N | del SPEC...
  ntb.py replace FILE [--flat]        one rule (add syntax) per line; '-' = stdin;
                                      --flat: top-level NTBYPASS_A_RULE nests
  ntb.py replace-until STOP FILE...   REPLACE with each file in turn until file STOP exists
  ntb.py replace-list RULE , RULE ...  rules on the command line, "," between
  ntb.py gen-replace N PROTO PORT0    N distinct rules "proto PROTO dport PORT0+i"
                                      (flat when N > 2000)
  ntb.py flush
  ntb.py dump                         one line per rule: id=.. key=val ..
  ntb.py status                       rules=.. hooked=.. packets=.. bytes=..
  ntb.py counter ID [pkts|bytes|mpkts|mbytes]
  ntb.py batch                        commands from stdin, one per line; prints
                                      each one's output or "error: ..." on one line
                                      (lines of a dump joined with " ; ")
Errors: "error: MESSAGE (errno NAME)" on stderr, exit 1.
"""
import contextlib
import errno
import io
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from genl import NLA_F_NESTED, NLM_F_ACK, Genl, NlError, attr  # noqa: E402

CMD = dict(add=1, del_=2, replace=3, flush=4, get=5, status=6)
(A_RULE_ID, A_FAMILY, A_PROTO, A_SPORT_MIN, A_SPORT_MAX, A_DPORT_MIN,
 A_DPORT_MAX, A_SRC_ADDR, A_SRC_PLEN, A_DST_ADDR, A_DST_PLEN, A_IIF,
 A_IIFNAME, A_OIF, A_OIFNAME, A_FLAGS, A_PACKETS, A_BYTES, A_MPACKETS,
 A_MBYTES, A_PAD, A_RULES, A_RULE, A_RULE_COUNT, A_HOOKED) = range(1, 26)
NAMES = {A_RULE_ID: "id", A_FAMILY: "family", A_PROTO: "proto",
         A_SPORT_MIN: "sport_min", A_SPORT_MAX: "sport_max",
         A_DPORT_MIN: "dport_min", A_DPORT_MAX: "dport_max",
         A_SRC_ADDR: "src", A_SRC_PLEN: "src_plen", A_DST_ADDR: "dst",
         A_DST_PLEN: "dst_plen", A_IIF: "iif", A_IIFNAME: "iifname",
         A_OIF: "oif", A_OIFNAME: "oifname", A_FLAGS: "flags",
         A_PACKETS: "pkts", A_BYTES: "bytes", A_MPACKETS: "mpkts",
         A_MBYTES: "mbytes", A_RULE_COUNT: "rules", A_HOOKED: "hooked"}


def rule_attrs(words):
    out = b""
    fam = None
    for w in words:
        if w == "both":
            out += attr(A_FLAGS, struct.pack("I", 1))
            continue
        k, v = w.split("=", 1)
        if k == "family":
            fam = int(v)
            out += attr(A_FAMILY, struct.pack("B", {4: 2, 6: 10}.get(fam, fam)))
        elif k == "proto":
            out += attr(A_PROTO, struct.pack("B", int(v)))
        elif k in ("sport", "dport"):
            lo, _, hi = v.partition("-")
            a = A_SPORT_MIN if k == "sport" else A_DPORT_MIN
            out += attr(a, struct.pack("H", int(lo) & 0xFFFF))
            if hi:
                out += attr(a + 1, struct.pack("H", int(hi) & 0xFFFF))
        elif k in ("src", "dst"):
            addr, _, plen = v.partition("/")
            af = socket.AF_INET6 if ":" in addr else socket.AF_INET
            a = A_SRC_ADDR if k == "src" else A_DST_ADDR
            out += attr(a, socket.inet_pton(af, addr))
            if plen:
                out += attr(a + 1, struct.pack("B", int(plen)))
        elif k in ("iif", "oif"):
            out += attr(A_IIF if k == "iif" else A_OIF, struct.pack("I", int(v)))
        elif k in ("iifname", "oifname"):
            out += attr(A_IIFNAME if k == "iifname" else A_OIFNAME, v.encode() + b"\0")
        elif k == "id":
            out += attr(A_RULE_ID, struct.pack("I", int(v)))
        else:
            raise SystemExit(f"ntb.py: unknown key {k}")
    return out


def fmt(a):
    parts = []
    for t, v in sorted(a.items()):
        name = NAMES.get(t)
        if not name:
            continue
        if t in (A_SRC_ADDR, A_DST_ADDR):
            af = socket.AF_INET if len(v) == 4 else socket.AF_INET6
            val = socket.inet_ntop(af, v)
        elif t in (A_IIFNAME, A_OIFNAME):
            val = v.rstrip(b"\0").decode()
        elif len(v) == 8:
            val = struct.unpack("Q", v)[0]
        elif len(v) == 4:
            val = struct.unpack("I", v)[0]
        elif len(v) == 2:
            val = struct.unpack("H", v)[0]
        else:
            val = v[0]
        parts.append(f"{name}={val}")
    return " ".join(parts)


def replace_payload(lines, flat=False):
    """Rules in one NTBYPASS_A_RULES nest, or (flat) as top-level
    NTBYPASS_A_RULE nests, the form for sets beyond 64 KiB."""
    parts = []
    for ln in lines:
        ln = ln.strip()
        if ln and not ln.startswith("#"):
            parts.append(attr(A_RULE | NLA_F_NESTED, rule_attrs(ln.split())))
    rules = b"".join(parts)
    return rules if flat else attr(A_RULES | NLA_F_NESTED, rules)


def main(argv, g=None):
    if not argv:
        raise SystemExit(__doc__)
    g = g or Genl("ntbypass", big_send=True)
    op, rest = argv[0], argv[1:]
    if op == "batch":
        # one command per stdin line; one output line each: the command's
        # output, or "error: ..." (Python starts slowly in the VM)
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out):
                    main(words, g)
            except NlError as e:
                print(f"error: {e.text} (errno {errno.errorcode.get(e.err, e.err)})")
            else:
                text = out.getvalue().strip().replace("\n", " ; ")
                print(text if text or words[0] in ("dump",) else "ok")
            sys.stdout.flush()
        return
    if op == "replace-until":
        # replace-until STOPFILE FILE...: REPLACE with each file in turn,
        # round and round, until STOPFILE exists; prints "started" once the
        # first REPLACE is done, and the number done at the end
        stop, files = rest[0], rest[1:]
        payloads = [replace_payload(open(f).readlines()) for f in files]
        done = 0
        while not os.path.exists(stop):
            g.req(CMD["replace"], payloads[done % len(payloads)])
            done += 1
            if done == 1:
                print("started", flush=True)
        print(done)
        return
    if op == "replace-list":
        # rules separated by "," words: replace-list proto=6 dport=1 , proto=17 dport=2
        lines = " ".join(rest).split(",")
        g.req(CMD["replace"], replace_payload(lines))
        return
    if op == "add":
        r = g.transact(g.fid, CMD["add"], rule_attrs(rest), NLM_F_ACK)
        print("id", struct.unpack("I", r[0][A_RULE_ID])[0])
    elif op == "del":
        g.req(CMD["del_"], rule_attrs(rest))
    elif op == "replace":
        flat = "--flat" in rest
        rest = [a for a in rest if a != "--flat"]
        f = sys.stdin if rest[0] == "-" else open(rest[0])
        g.req(CMD["replace"], replace_payload(f.readlines(), flat))
    elif op == "gen-replace":
        # N rules "proto PROTO dport PORT0+i" (ports wrap to 1.. and then
        # take a source port, so any N up to 65536*... stays unique)
        # (built with one struct.pack per rule: Python is slow in the VM)
        n, proto, port0 = int(rest[0]), int(rest[1]), int(rest[2])
        one = struct.Struct("HH HHB3x HHH2x")
        two = struct.Struct("HH HHB3x HHH2x HHH2x")
        parts = []
        for i in range(port0 - 1, port0 - 1 + n):
            d, hi = i % 65535 + 1, i // 65535
            if hi:
                parts.append(two.pack(28, A_RULE | NLA_F_NESTED, 5, A_PROTO, proto,
                                      6, A_DPORT_MIN, d, 6, A_SPORT_MIN, hi))
            else:
                parts.append(one.pack(20, A_RULE | NLA_F_NESTED, 5, A_PROTO, proto,
                                      6, A_DPORT_MIN, d))
        rules = b"".join(parts)
        if n <= 2000:
            rules = attr(A_RULES | NLA_F_NESTED, rules)
        g.req(CMD["replace"], rules)
    elif op == "flush":
        g.req(CMD["flush"])
    elif op == "dump":
        for a in g.req(CMD["get"], dump=True):
            print(fmt(a))
    elif op == "status":
        print(fmt(g.req(CMD["status"])[0]))
    elif op == "counter":
        want = rest[1] if len(rest) > 1 else "pkts"
        for a in g.req(CMD["get"], dump=True):
            f = dict(kv.split("=", 1) for kv in fmt(a).split())
            if f["id"] == rest[0]:
                print(f[want])
                return
        raise NlError(errno.ENOENT, "no such rule")
    else:
        raise SystemExit(f"ntb.py: unknown operation {op}")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except NlError as e:
        print(f"error: {e.text} (errno {errno.errorcode.get(e.err, e.err)})", file=sys.stderr)
        sys.exit(1)
