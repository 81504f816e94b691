#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""nlfuzz: random and malformed messages against nettune's kernel interfaces.

Families: the ntvnic and ntbypass generic netlink families, rtnetlink
RTM_NEWLINK of kind "ntvnic" ("rtnl"), and tcp_ntcubic's only configuration
interface, its module parameters in sysfs ("ntcubic").

Every message is built from a class: "valid" (right command, types and
ranges: the kernel may accept or refuse it) or one of the malformed classes
(wrong length, unknown attribute, reply-only attribute, string without NUL
or too long, out-of-range value, missing required attribute, unknown
command, dump of a command without one, nested garbage, truncated or
trailing bytes). A malformed message must be refused with an error, and with
an extended-ack message where the class names an attribute the policy or
the handler can point at; an unprivileged caller must never change anything.
A seed and a count make a run reproducible: the same seed sends the same
messages in the same order.

  nlfuzz.py [--seed N] [--count N] [--families ntvnic,ntbypass,rtnl,ntcubic]
            [--unpriv] [--json FILE]

Exit 0 when no message broke those rules, 1 otherwise (the first violations
are printed). It runs in the caller's network namespace: run it in a fresh
one (the selftest does) so that what it creates dies with it.
"""
import argparse
import errno
import json
import os
import random
import socket
import struct
import sys

NETLINK_ROUTE, NETLINK_GENERIC = 0, 16
SOL_NETLINK = 270
NETLINK_CAP_ACK, NETLINK_EXT_ACK = 10, 11
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK = 0x1, 0x2, 0x4
NLM_F_ROOT, NLM_F_MATCH = 0x100, 0x200
NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
NLM_F_EXCL, NLM_F_CREATE = 0x200, 0x400
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLMSGERR_ATTR_MSG = 1
NLA_F_NESTED = 1 << 15
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
RTM_NEWLINK, RTM_DELLINK = 16, 17
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_LINK = 1, 3, 4, 5
IFLA_TXQLEN, IFLA_LINKINFO, IFLA_NET_NS_FD = 13, 18, 28
IFLA_NUM_TX_QUEUES, IFLA_NUM_RX_QUEUES, IFLA_GROUP = 31, 32, 27
IFLA_GSO_MAX_SIZE, IFLA_GSO_MAX_SEGS = 41, 40
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2

# Classes of malformed messages that must carry an extack message: the
# policy or the handler names the attribute or the missing one.
EXTACK_CLASSES = {"badlen", "unknown", "reject", "badstr", "range",
                  "missing", "nest"}


def nla(atype, payload):
    """One attribute, padded to 4 bytes."""
    hdr = struct.pack("HH", 4 + len(payload), atype)
    pad = (-len(payload)) % 4
    return hdr + payload + b"\0" * pad


def u8(v): return struct.pack("B", v & 0xff)
def u16(v): return struct.pack("H", v & 0xffff)
def u32(v): return struct.pack("I", v & 0xffffffff)
def u64(v): return struct.pack("Q", v & 0xffffffffffffffff)
def s32(v): return struct.pack("i", v)
def cstr(s): return s.encode() + b"\0"


class Attr:
    """One attribute of a family: its type number, kind and value sets."""

    def __init__(self, num, kind, valid=None, invalid=(), cmds_using=()):
        self.num, self.kind = num, kind
        self.valid = valid            # callable(rng) -> payload, None = reply only
        self.invalid = invalid        # payloads the handler must refuse
        self.cmds_using = cmds_using  # commands whose handler reads it

    def size(self):
        return {"u8": 1, "u16": 2, "u32": 4, "s32": 4, "u64": 8}.get(self.kind)


class Family:
    """A generic netlink family under test."""
    name = ""
    maxattr = 0
    cmds = {}          # number -> (name, admin, has_doit, has_dumpit)
    attrs = {}

    def __init__(self, rng, fds):
        self.rng, self.fds = rng, fds


def power_of_two_ring(rng):
    return u32(rng.choice([8, 16, 64, 128, 256, 512] + [1024, 4096] * (rng.random() < 0.05)))


class Vnic(Family):
    name = "ntvnic"
    maxattr = 35
    NEW, DEL, GET, SET, STEER_GET = 1, 2, 3, 4, 5
    cmds = {1: ("NEW", True, True, False), 2: ("DEL", True, True, False),
            3: ("GET", False, True, True), 4: ("SET", True, True, False),
            5: ("STEER_GET", False, True, False)}
    names = ["fz%d" % i for i in range(6)]

    def __init__(self, rng, fds):
        super().__init__(rng, fds)
        cfg = (self.NEW, self.SET)
        name = lambda r: cstr(r.choice(self.names))
        fd = lambda r: s32(r.choice(self.fds))
        self.attrs = {
            1: Attr(1, "u32", lambda r: u32(r.choice([1, 2, 3, 0x7fffffff, r.randrange(1, 200)]))),
            2: Attr(2, "str", name, cmds_using=(self.NEW,),
                    invalid=[cstr(""), cstr("."), cstr(".."), cstr("a/b"), cstr("a b"), cstr("a:b")]),
            3: Attr(3, "str", lambda r: cstr("p" + r.choice(self.names)), cmds_using=(self.NEW,),
                    invalid=[cstr(""), cstr(".."), cstr("x/y")]),
            4: Attr(4, "s32", fd, cmds_using=(self.NEW,), invalid=[s32(-1), s32(1 << 20)]),
            5: Attr(5, "s32", fd, cmds_using=(self.NEW,), invalid=[s32(-5), s32(99999)]),
            6: Attr(6, "u32", lambda r: u32(r.choice([1, 2, 4, 8, 64])), cmds_using=cfg,
                    invalid=[u32(0), u32(65), u32(1000), u32(0xffffffff)]),
            7: Attr(7, "u32", power_of_two_ring, cmds_using=cfg,
                    invalid=[u32(0), u32(7), u32(100), u32(8192), u32(0x80000000)]),
            8: Attr(8, "u32", power_of_two_ring, cmds_using=cfg,
                    invalid=[u32(4), u32(4095), u32(1 << 13), u32(0xffffffff)]),
            9: Attr(9, "u32", lambda r: u32(r.choice([0, 1])), cmds_using=cfg,
                    invalid=[u32(2), u32(0xffffffff)]),
            10: Attr(10, "u32", lambda r: u32(r.choice([1, 16, 64, 256])), cmds_using=cfg,
                     invalid=[u32(0), u32(257), u32(0xffffffff)]),
            **{n: Attr(n, "reject") for n in range(11, 19)},
            19: Attr(19, "u32", lambda r: u32(r.choice([0, 1, 50, 100000])), cmds_using=cfg,
                     invalid=[u32(100001), u32(0xffffffff)]),
            20: Attr(20, "u32", lambda r: u32(r.choice([0, 1, 64, 4096])), cmds_using=cfg,
                     invalid=[u32(4097), u32(0xffffffff)]),
            21: Attr(21, "u32", lambda r: u32(r.choice([0, 10, 100000])), cmds_using=cfg,
                     invalid=[u32(100001), u32(1 << 31)]),
            22: Attr(22, "u32", lambda r: u32(r.choice([0, 2, 4096])), cmds_using=cfg,
                     invalid=[u32(4097), u32(1 << 30)]),
            23: Attr(23, "reject"),
            # the wire (NTVNIC_MAX_WIRE_RATE/DELAY/LOSS)
            24: Attr(24, "u64", lambda r: u64(r.choice([0, 10**7, 10**9, 10**11])), cmds_using=cfg,
                     invalid=[u64(10**11 + 1), u64(1 << 63)]),
            25: Attr(25, "u32", lambda r: u32(r.choice([0, 10000, 1000000])), cmds_using=cfg,
                     invalid=[u32(1000001), u32(0xffffffff)]),
            26: Attr(26, "u32", lambda r: u32(r.choice([0, 1000, 1000000])), cmds_using=cfg,
                     invalid=[u32(1000001), u32(0xffffffff)]),
            # PAD, and what GET/STEER_GET report (adaptive moderation, ntuple, aRFS)
            **{n: Attr(n, "reject") for n in range(27, 36)},
        }
        self.attrs[1].kind = "u32"

    def device(self, rng):
        """Attributes naming a device, as DEL, GET and SET need."""
        if rng.random() < 0.5:
            return nla(2, cstr(rng.choice(self.names)))
        return nla(1, u32(rng.choice([1, 2, 3, 4, 5, 6, 7, 8])))

    def required(self, cmd, rng):
        if cmd == self.NEW:
            return nla(2, cstr(rng.choice(self.names)))
        if cmd in (self.DEL, self.SET, self.GET, self.STEER_GET):
            return self.device(rng)
        return b""

    def missing(self, cmd):
        # NEW without a name, DEL/SET/GET/STEER_GET (doit) without a device.
        return cmd in (self.NEW, self.DEL, self.SET, self.GET, self.STEER_GET)


class Bypass(Family):
    name = "ntbypass"
    ADD, DEL, REPLACE, FLUSH, GET, STATUS = 1, 2, 3, 4, 5, 6
    cmds = {1: ("ADD", True, True, False), 2: ("DEL", True, True, False),
            3: ("REPLACE", True, True, False), 4: ("FLUSH", True, True, False),
            5: ("GET", False, True, True), 6: ("STATUS", False, True, False)}

    def __init__(self, rng, fds):
        super().__init__(rng, fds)
        rule = (self.ADD, self.DEL)
        port = lambda r: u16(r.choice([1, 22, 80, 443, 1024, 65535, r.randrange(1, 65536)]))
        self.attrs = {
            1: Attr(1, "u32", lambda r: u32(r.choice([1, 2, 3, r.randrange(1, 100)])),
                    invalid=[u32(0)]),
            2: Attr(2, "u8", lambda r: u8(r.choice([2, 10])), cmds_using=rule,
                    invalid=[u8(0), u8(3), u8(255)]),
            3: Attr(3, "u8", lambda r: u8(r.choice([6, 17, 132, 1])), cmds_using=rule,
                    invalid=[u8(0)]),
            4: Attr(4, "u16", port, cmds_using=rule, invalid=[u16(0)]),
            5: Attr(5, "u16", port),
            6: Attr(6, "u16", port, cmds_using=rule, invalid=[u16(0)]),
            7: Attr(7, "u16", port),
            8: Attr(8, "bin", lambda r: bytes(r.randrange(256) for _ in range(r.choice([4, 16]))),
                    cmds_using=rule, invalid=[b"\1\2\3", b"\1" * 5, b"\0" * 17]),
            9: Attr(9, "u8", lambda r: u8(r.choice([0, 8, 24, 32, 64, 128]))),
            10: Attr(10, "bin", lambda r: bytes(r.randrange(256) for _ in range(r.choice([4, 16]))),
                     cmds_using=rule, invalid=[b"", b"\1" * 8, b"\0" * 40]),
            11: Attr(11, "u8", lambda r: u8(r.choice([0, 16, 32, 128]))),
            12: Attr(12, "u32", lambda r: u32(r.choice([1, 2, 3, 1000])), invalid=[u32(0)]),
            13: Attr(13, "str", lambda r: cstr(r.choice(["lo", "fz0", "eth0", "x" * 15]))),
            14: Attr(14, "u32", lambda r: u32(r.choice([1, 2, 3, 1000])), invalid=[u32(0)]),
            15: Attr(15, "str", lambda r: cstr(r.choice(["lo", "fz1", "y" * 15]))),
            16: Attr(16, "u32", lambda r: u32(r.choice([0, 1])), invalid=[u32(2), u32(0xffffffff)]),
            **{n: Attr(n, "reject") for n in (17, 18, 19, 20, 24, 25)},
        }
        self.maxattr = 25

    def rule_body(self, rng, n=None):
        """Rule attributes that the policy accepts (the handler may not)."""
        out = b""
        keys = [k for k in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)]
        for k in rng.sample(keys, n if n is not None else rng.randrange(1, 6)):
            out += nla(k, self.attrs[k].valid(rng))
        return out

    def required(self, cmd, rng):
        if cmd == self.REPLACE:
            rules = b"".join(nla(23 | NLA_F_NESTED, self.rule_body(rng))
                             for _ in range(rng.randrange(0, 4)))
            return nla(22 | NLA_F_NESTED, rules)
        if cmd in (self.ADD, self.DEL):
            return self.rule_body(rng)
        return b""

    def missing(self, cmd):
        # DEL of nothing at all (no id, no specification).
        return cmd == self.DEL


class Genl:
    """A generic netlink socket with extended acks."""

    def __init__(self, proto=NETLINK_GENERIC):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind((0, 0))
        self.seq = 0

    def send_raw(self, data):
        """Sends bytes; returns (error, extack msg, replies), error None if no answer."""
        try:
            self.sock.send(data)
        except OSError as e:
            return -e.errno, "", 0
        return self.collect()

    def collect(self):
        # The kernel handles a netlink request inside send(): its answer is
        # queued when send() returns; dumps continue inside recv().
        err, msg, replies = None, "", 0
        while True:
            try:
                buf = self.sock.recv(1 << 16, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return err, msg, replies
            except OSError as e:  # ENOBUFS and the like
                return -e.errno, "", replies
            off = 0
            while off + 16 <= len(buf):
                ln, typ, flags, _seq, _pid = struct.unpack_from("IHHII", buf, off)
                if ln < 16:
                    break
                if typ == NLMSG_ERROR:
                    err = struct.unpack_from("i", buf, off + 16)[0]
                    if flags & NLM_F_ACK_TLVS:
                        inner = struct.unpack_from("I", buf, off + 20)[0]
                        toff = off + 20 + (16 if flags & NLM_F_CAPPED else inner)
                        while toff + 4 <= off + ln:
                            alen, atyp = struct.unpack_from("HH", buf, toff)
                            if alen < 4:
                                break
                            if atyp == NLMSGERR_ATTR_MSG:
                                msg = buf[toff + 4:toff + alen].split(b"\0")[0].decode(errors="replace")
                            toff += (alen + 3) & ~3
                    return err, msg, replies
                if typ == NLMSG_DONE:
                    err = err if err is not None else 0
                    if ln >= 20:
                        err = struct.unpack_from("i", buf, off + 16)[0]
                    return err, msg, replies
                replies += 1
                off += (ln + 3) & ~3

    def message(self, typ, flags, payload, length=None):
        self.seq += 1
        ln = 16 + len(payload) if length is None else length
        return struct.pack("IHHII", ln, typ, flags, self.seq, 0) + payload

    def family_id(self, name):
        attrs = nla(CTRL_ATTR_FAMILY_NAME, cstr(name))
        payload = struct.pack("BBH", CTRL_CMD_GETFAMILY, 1, 0) + attrs
        self.sock.send(self.message(GENL_ID_CTRL, NLM_F_REQUEST, payload))
        buf = self.sock.recv(1 << 16)
        ln, typ = struct.unpack_from("IH", buf, 0)
        if typ == NLMSG_ERROR:
            return None
        off = 20
        while off + 4 <= ln:
            alen, atyp = struct.unpack_from("HH", buf, off)
            if atyp == CTRL_ATTR_FAMILY_ID:
                return struct.unpack_from("H", buf, off + 4)[0]
            off += (alen + 3) & ~3
        return None


class Stats:
    def __init__(self, name):
        self.name = name
        self.sent = self.accepted = self.refused = self.refused_extack = 0
        self.no_answer = 0
        self.by_class = {}
        self.errnos = {}
        self.violations = []

    def record(self, cls, expect, err, msg, detail):
        self.sent += 1
        c = self.by_class.setdefault(cls, [0, 0, 0])  # sent, refused, with extack
        c[0] += 1
        if err is None:
            self.no_answer += 1
        elif err == 0:
            self.accepted += 1
        else:
            self.refused += 1
            c[1] += 1
            name = errno.errorcode.get(-err, str(err))
            self.errnos[name] = self.errnos.get(name, 0) + 1
            if msg:
                self.refused_extack += 1
                c[2] += 1
        bad = None
        if expect == "refuse" and (err is None or err == 0):
            bad = "accepted (err %s)" % err
        elif expect == "eperm" and err == 0:
            bad = "an unprivileged caller was allowed"
        elif expect == "refuse" and cls in EXTACK_CLASSES and err not in (0, None) \
                and not msg and err != -errno.EPERM:
            bad = "refused (%s) without an extack message" % errno.errorcode.get(-err, err)
        if bad:
            self.violations.append("%s: class %s: %s: %s" % (self.name, cls, bad, detail))

    def summary(self):
        return {"sent": self.sent, "accepted": self.accepted, "refused": self.refused,
                "refused_with_extack": self.refused_extack, "no_answer": self.no_answer,
                "violations": len(self.violations), "errnos": self.errnos,
                "classes": {k: {"sent": v[0], "refused": v[1], "extack": v[2]}
                            for k, v in sorted(self.by_class.items())}}


GENL_CLASSES = ["valid"] * 6 + ["badlen", "unknown", "reject", "badstr", "range", "range",
                                "missing", "badcmd", "dumpless", "nest", "trunc", "trailing",
                                "garbage", "flags"]


def genl_case(fam, rng):
    """(class, command, flags, attribute bytes, genl header override, expect)."""
    cls = rng.choice(GENL_CLASSES)
    cmds = list(fam.cmds)
    cmd = rng.choice(cmds)
    _name, _admin, _doit, dumpit = fam.cmds[cmd]
    flags = NLM_F_REQUEST | NLM_F_ACK
    body = fam.required(cmd, rng)
    expect = "refuse"
    settable = [a for a in fam.attrs.values() if a.valid]

    def extra(n):
        out = b""
        for a in rng.sample(settable, min(n, len(settable))):
            if a.num in (1, 2) and fam.name == "ntvnic":
                continue
            out += nla(a.num, a.valid(rng))
        return out

    if cls == "valid":
        body += extra(rng.randrange(0, 4))
        if dumpit and rng.random() < 0.3:
            flags |= NLM_F_DUMP
            body = b""
        expect = "any"
    elif cls == "badlen":
        fixed = [a for a in fam.attrs.values() if a.size()]
        a = rng.choice(fixed)
        ln = rng.choice([n for n in (0, 1, 2, 3, 5, 6, 8, 12) if n != a.size()])
        body += nla(a.num, bytes(rng.randrange(256) for _ in range(ln)))
    elif cls == "unknown":
        body += nla(rng.choice([fam.maxattr + 1, fam.maxattr + 2, 100, 0x3fff, 0x7fff]),
                    os.urandom(rng.choice([0, 1, 4, 8])))
    elif cls == "reject":
        a = rng.choice([a for a in fam.attrs.values() if a.kind == "reject"])
        body += nla(a.num, u32(rng.randrange(1 << 32)))
    elif cls == "badstr":
        strs = [a for a in fam.attrs.values() if a.kind == "str"]
        a = rng.choice(strs)
        s = rng.choice([b"noterminator", b"x" * 16 + b"\0", b"y" * 40 + b"\0", b"z" * 15])
        body = nla(a.num, s) + body
    elif cls == "range":
        cands = [a for a in fam.attrs.values() if a.invalid and (not a.cmds_using or cmd in a.cmds_using)]
        used = [a for a in fam.attrs.values() if a.invalid and a.cmds_using]
        if not cands:
            a = rng.choice(used)
            cmd = rng.choice(a.cmds_using)
            body = fam.required(cmd, rng)
        else:
            a = rng.choice(cands)
        val = rng.choice(a.invalid)
        # A refused value must be the only thing wrong: no other attribute
        # of the same type, and it comes first so the handler meets it
        # before any other check.
        body = nla(a.num, val) + strip_attr(body, a.num)
    elif cls == "missing":
        if fam.missing(cmd):
            body = b""
            if fam.name == "ntvnic" and cmd == fam.NEW:
                body = nla(6, u32(2))
        else:
            expect = "any"
            cls = "valid"
    elif cls == "badcmd":
        cmd = rng.choice([0, max(cmds) + 1, max(cmds) + 7, 100, 255])
    elif cls == "dumpless":
        nod = [c for c in cmds if not fam.cmds[c][3]]
        cmd = rng.choice(nod)
        flags |= NLM_F_DUMP
    elif cls == "nest":
        garbage = nla(rng.choice([fam.maxattr + 1, 0x3ff]), os.urandom(rng.randrange(0, 9)))
        if fam.name == "ntbypass":
            inner = rng.choice([
                nla(23 | NLA_F_NESTED, garbage),                     # unknown attr in a rule
                nla(23 | NLA_F_NESTED, nla(2, b"\1\2\3\4")),         # u8 of 4 bytes in a rule
                nla(23, nla(4, u16(0)) + os.urandom(3)),             # trailing bytes in a rule
                nla(1, b"\0" * 4),                                   # attr 1 of RULES: not a rule
                nla(23 | NLA_F_NESTED, nla(23 | NLA_F_NESTED, garbage)),
            ])
            body = nla(22 | NLA_F_NESTED, inner) if rng.random() < 0.8 else inner
        else:
            # ntvnic has no nest a request may carry: NTVNIC_A_QUEUE is
            # reply only and must be refused whatever it holds.
            body = nla(18 | NLA_F_NESTED, garbage) + fam.required(cmd, rng)
    elif cls == "trunc":
        # An attribute whose length runs past the message.
        body += struct.pack("HH", 64, 2) + b"abcd"
    elif cls == "trailing":
        body += os.urandom(rng.choice([1, 2, 3]))
    elif cls == "garbage":
        body = os.urandom(rng.randrange(0, 64))
        expect = "any"
    elif cls == "flags":
        flags = rng.choice([0, NLM_F_REQUEST, NLM_F_MULTI | NLM_F_REQUEST | NLM_F_ACK,
                            NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE])
        body += extra(rng.randrange(0, 2))
        expect = "any"
    return cls, cmd, flags, body, expect


def strip_attr(body, num):
    """body without top-level attributes of type num."""
    out, off = b"", 0
    while off + 4 <= len(body):
        alen, atyp = struct.unpack_from("HH", body, off)
        if alen < 4:
            return out + body[off:]
        step = (alen + 3) & ~3
        if atyp & 0x3fff != num:
            out += body[off:off + step]
        off += step
    return out + body[off:]


def fuzz_genl(fam, fid, count, rng, unpriv, st, sock):
    for i in range(count):
        cls, cmd, flags, body, expect = genl_case(fam, rng)
        admin = fam.cmds.get(cmd, ("", False))[1]
        if unpriv and admin and not (flags & NLM_F_DUMP and not fam.cmds[cmd][3]):
            expect = "eperm"
            flags |= NLM_F_ACK | NLM_F_REQUEST   # a success must show
        hdr = struct.pack("BBH", cmd, 1, 0)
        payload = hdr + body
        if cls == "trunc" and rng.random() < 0.5:
            # The genetlink header itself cut short.
            payload = hdr[:rng.randrange(0, 4)]
        data = sock.message(fid, flags, payload)
        if not flags & NLM_F_REQUEST:
            # The kernel ignores non-requests silently; nothing may change.
            expect = "any"
        err, msg, _ = sock.send_raw(data)
        st.record(cls, expect, err, msg, "seq %d cmd %d flags %#x body %s" %
                  (sock.seq, cmd, flags, body[:48].hex()))
        if fam.name == "ntbypass" and i % 500 == 499 and not unpriv:
            sock.send_raw(sock.message(fid, NLM_F_REQUEST | NLM_F_ACK,
                                       struct.pack("BBH", Bypass.FLUSH, 1, 0)))


RTNL_CLASSES = ["valid"] * 5 + ["badlen", "range", "badstr", "nest", "unknown",
                                "trunc", "del", "del", "garbage", "modify"]


def fuzz_rtnl(count, rng, unpriv, st, sock, fds):
    names = ["fzr%d" % i for i in range(4)]
    # NLFUZZ_RTNL_CLASSES=a,b: only those classes (to narrow a finding down).
    classes = os.environ.get("NLFUZZ_RTNL_CLASSES", "").split(",") if \
        os.environ.get("NLFUZZ_RTNL_CLASSES") else RTNL_CLASSES
    for _ in range(count):
        cls = rng.choice(classes)
        ifi = struct.pack("BBHiII", 0, 0, 0, 0, 0, 0)
        kind = nla(IFLA_LINKINFO | NLA_F_NESTED, nla(IFLA_INFO_KIND, cstr("ntvnic")))
        # Malformed creations name a device that does not exist (fzb + the
        # message's number), so the fault refuses them, not EEXIST.
        bad_name = cstr("fzb%d" % (st.sent % 100000))
        attrs = nla(IFLA_IFNAME, bad_name) + kind
        flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
        typ, expect = RTM_NEWLINK, "refuse"
        if cls == "valid":
            attrs = nla(IFLA_IFNAME, cstr(rng.choice(names))) + kind
            for a, v in rng.sample([(IFLA_NUM_TX_QUEUES, u32(rng.choice([1, 2, 64, 65, 4096]))),
                                    (IFLA_NUM_RX_QUEUES, u32(rng.choice([1, 4, 64]))),
                                    (IFLA_MTU, u32(rng.choice([68, 1500, 9000, 65535]))),
                                    (IFLA_TXQLEN, u32(rng.choice([0, 1000]))),
                                    (IFLA_NET_NS_FD, u32(rng.choice(fds))),
                                    (IFLA_GROUP, u32(rng.choice([0, 7]))),
                                    (IFLA_ADDRESS, b"\x02\0\0\0\0" + u8(rng.randrange(256)))],
                                   rng.randrange(0, 4)):
                attrs += nla(a, v)
            expect = "any"
        elif cls == "badlen":
            a = rng.choice([IFLA_MTU, IFLA_TXQLEN, IFLA_NUM_TX_QUEUES, IFLA_NUM_RX_QUEUES, IFLA_GROUP])
            attrs += nla(a, os.urandom(rng.choice([0, 1, 2, 3])))
        elif cls == "range":
            a, v = rng.choice([(IFLA_NUM_TX_QUEUES, 0), (IFLA_NUM_RX_QUEUES, 0),
                               (IFLA_NUM_TX_QUEUES, 4097), (IFLA_NUM_RX_QUEUES, 1 << 20),
                               (IFLA_MTU, 10), (IFLA_MTU, 65536), (IFLA_MTU, 0xffffffff),
                               (IFLA_NET_NS_FD, 99999)])
            attrs = nla(a, u32(v)) + attrs
            if a == IFLA_NET_NS_FD:
                cls = "range-netns"
        elif cls == "badstr":
            attrs = nla(IFLA_IFNAME, rng.choice([b"x" * 16 + b"\0", b"a/b\0", b"..\0", b"w" * 30])) + kind
        elif cls == "nest":
            # IFLA_INFO_DATA: ntvnic defines no link attributes (queues and
            # rings are set with its genetlink family or ethtool): any must
            # be refused, not ignored.
            attrs = nla(IFLA_IFNAME, bad_name) + nla(
                IFLA_LINKINFO | NLA_F_NESTED,
                nla(IFLA_INFO_KIND, cstr("ntvnic")) +
                nla(IFLA_INFO_DATA | NLA_F_NESTED,
                    nla(rng.randrange(1, 40), os.urandom(rng.randrange(0, 12)))))
        elif cls == "unknown":
            # rtnetlink parses link messages leniently (unknown top-level
            # attributes are ignored by design): the kernel may accept.
            attrs += nla(rng.choice([200, 0x3fff]), os.urandom(4))
            expect = "any"
        elif cls == "trunc":
            # An attribute running past the message: RTM_NEWLINK is parsed
            # with the kernel's lenient (deprecated) rules, which ignore
            # bytes left over after the last whole attribute; the kernel
            # may create the device. Not ours to refuse: counted only.
            attrs += struct.pack("HH", 200, IFLA_MTU) + b"\0\0\0\0"
            expect = "any"
        elif cls == "del":
            typ, flags = RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK
            attrs = nla(IFLA_IFNAME, cstr(rng.choice(names)))
            expect = "any"
        elif cls == "garbage":
            attrs = os.urandom(rng.randrange(0, 48))
            expect = "any"
        elif cls == "modify":
            flags = NLM_F_REQUEST | NLM_F_ACK
            attrs = nla(IFLA_IFNAME, cstr(rng.choice(names)))
            attrs += nla(rng.choice([IFLA_MTU, IFLA_TXQLEN, IFLA_GROUP]), u32(rng.choice([0, 1500, 9000])))
            expect = "any"
        if unpriv and typ in (RTM_NEWLINK, RTM_DELLINK):
            expect = "eperm"
        err, msg, _ = sock.send_raw(sock.message(typ, flags, ifi + attrs))
        st.record(cls, expect, err, msg, "type %d flags %#x attrs %s" % (typ, flags, attrs[:48].hex()))


NTCUBIC_PARAMS = "/sys/module/tcp_ntcubic/parameters"


def fuzz_ntcubic(count, rng, unpriv, st):
    """Module parameters: every write of a bad value refused, values in range."""
    try:
        params = sorted(os.listdir(NTCUBIC_PARAMS))
    except OSError:
        return False
    saved = {p: open(os.path.join(NTCUBIC_PARAMS, p)).read().strip() for p in params}
    bad_values = ["", "-1", "abc", "0x", "99999999999999999999", "4294967296", "1.5",
                  " ", "\n", "1 2", "\0", "-0x10", "+", "0b1", "1e3"]
    try:
        for _ in range(count):
            p = rng.choice(params)
            path = os.path.join(NTCUBIC_PARAMS, p)
            cls = rng.choice(["valid", "valid", "junk", "range"])
            before = open(path).read().strip()
            if cls == "junk":
                val, expect = rng.choice(bad_values), "refuse"
                if val == "":
                    # write(2) of 0 bytes: sysfs returns 0 without calling
                    # the module; the value must simply stay.
                    cls, expect = "empty", "any"
            elif cls == "range":
                val, expect = str(rng.choice([1 << 31, (1 << 32) - 1, 10 ** 7, 65536, 100000])), "any"
            else:
                val, expect = str(rng.choice([0, 1, 2, 4, 8, 100, 400, 700, 1000])), "any"
            if unpriv:
                expect = "eperm"
            try:
                fd = os.open(path, os.O_WRONLY)
                try:
                    os.write(fd, val.encode())   # one write(2), as echo does
                    err = 0
                finally:
                    os.close(fd)
            except OSError as e:
                err = -e.errno
            # A refused value leaves no trace; an accepted one reads back.
            now = open(path).read().strip()
            detail = "%s=%r -> %s, reads %s" % (p, val, err, now)
            if err == 0 and cls in ("valid", "range") and now != str(int(val)):
                st.violations.append("ntcubic: accepted but reads back differently: " + detail)
            if (err != 0 or cls == "empty") and now != before:
                st.violations.append("ntcubic: refused but the value changed: " + detail)
            st.record(cls if cls != "range" else "range-maybe", expect, err, "", detail)
    finally:
        if not unpriv:
            for p, v in saved.items():
                with open(os.path.join(NTCUBIC_PARAMS, p), "w") as f:
                    f.write(v)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=2000, help="messages per family")
    ap.add_argument("--families", default="ntvnic,ntbypass,rtnl,ntcubic")
    ap.add_argument("--unpriv", action="store_true",
                    help="the caller has no CAP_NET_ADMIN: every change must be refused")
    ap.add_argument("--json", help="write the counts there")
    ap.add_argument("--netns", action="append", default=[],
                    help="a namespace file (/run/netns/NAME) whose descriptor messages may name")
    args = ap.parse_args()

    # Namespace descriptors a message may name: our own namespace, the
    # --netns ones, a user namespace (not a netns), junk numbers.
    fds = [-1, 0, 1, 2, 9999]
    for path in ["/proc/self/ns/net", "/proc/self/ns/user"] + args.netns:
        try:
            fds.append(os.open(path, os.O_RDONLY))
        except OSError as e:
            print("nlfuzz: %s: %s (not used)" % (path, e.strerror))
    results, violations = {}, []
    for fname in args.families.split(","):
        # One generator per family: a family's messages depend only on the
        # seed, not on which other families ran.
        rng = random.Random("%d/%s" % (args.seed, fname))
        st = Stats(fname)
        if fname in ("ntvnic", "ntbypass"):
            sock = Genl()
            fid = sock.family_id(fname)
            if fid is None:
                print("nlfuzz: no generic netlink family %s (module not loaded)" % fname)
                return 1
            fam = (Vnic if fname == "ntvnic" else Bypass)(rng, fds)
            fuzz_genl(fam, fid, args.count, rng, args.unpriv, st, sock)
        elif fname == "rtnl":
            fuzz_rtnl(args.count, rng, args.unpriv, st, Genl(NETLINK_ROUTE), fds)
        elif fname == "ntcubic":
            if not fuzz_ntcubic(args.count, rng, args.unpriv, st):
                print("nlfuzz: no %s (tcp_ntcubic not loaded)" % NTCUBIC_PARAMS)
                return 1
        else:
            print("nlfuzz: unknown family %s" % fname)
            return 2
        results[fname] = st.summary()
        violations += st.violations
        s = results[fname]
        print("nlfuzz: %-8s seed %d %s: %d sent, %d accepted, %d refused (%d with extack), "
              "%d unanswered, %d violations" % (fname, args.seed, "unpriv" if args.unpriv else "root",
                                                s["sent"], s["accepted"], s["refused"],
                                                s["refused_with_extack"], s["no_answer"],
                                                s["violations"]))
    for v in violations[:20]:
        print("nlfuzz: VIOLATION " + v)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"seed": args.seed, "count": args.count, "unpriv": args.unpriv,
                       "families": results, "violations": violations[:100]}, f, indent=1)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
