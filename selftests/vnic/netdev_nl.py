#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""netdev_nl.py: the kernel's "netdev" generic netlink family (6.8+), as
`ynl --family netdev` would ask it, for kernels without ynl.

  netdev_nl.py queue IFINDEX rx|tx ID   prints "napi_id N" (0: none)
  netdev_nl.py napi NAPI_ID             prints "irq N"
  netdev_nl.py qstats IFINDEX [queue]   one line per device (or queue):
                                        "rx|tx ID name=value ..." (ID "-"
                                        for the device)

Exit 3 if the kernel has no such family or command (EOPNOTSUPP)."""
import errno
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2

CMD_QUEUE_GET, CMD_NAPI_GET, CMD_QSTATS_GET = 10, 11, 12
A_QUEUE_ID, A_QUEUE_IFINDEX, A_QUEUE_TYPE, A_QUEUE_NAPI_ID = 1, 2, 3, 4
A_NAPI_ID, A_NAPI_IRQ = 2, 3
A_QSTATS_IFINDEX, A_QSTATS_QUEUE_TYPE, A_QSTATS_QUEUE_ID, A_QSTATS_SCOPE = 1, 2, 3, 4
QSTATS = {8: "rx-packets", 9: "rx-bytes", 10: "tx-packets", 11: "tx-bytes",
          12: "rx-alloc-fail", 13: "rx-hw-drops", 14: "rx-hw-drop-overruns",
          15: "rx-csum-complete", 16: "rx-csum-unnecessary", 17: "rx-csum-none",
          18: "rx-csum-bad", 19: "rx-hw-gro-packets", 20: "rx-hw-gro-bytes",
          21: "rx-hw-gro-wire-packets", 22: "rx-hw-gro-wire-bytes",
          23: "rx-hw-drop-ratelimits", 24: "tx-hw-drops", 25: "tx-hw-drop-errors",
          26: "tx-csum-none", 27: "tx-needs-csum", 28: "tx-hw-gso-packets",
          29: "tx-hw-gso-bytes", 30: "tx-hw-gso-wire-packets",
          31: "tx-hw-gso-wire-bytes", 32: "tx-hw-drop-ratelimits", 33: "tx-stop",
          34: "tx-wake"}


class Unsupported(Exception):
    pass


def attr(atype, payload):
    head = struct.pack("HH", 4 + len(payload), atype)
    return head + payload + b"\0" * (-len(payload) % 4)


def attrs(buf):
    out, off = {}, 0
    while off + 4 <= len(buf):
        alen, atype = struct.unpack_from("HH", buf, off)
        if alen < 4:
            break
        out[atype & 0x3fff] = buf[off + 4:off + alen]
        off += (alen + 3) & ~3
    return out


def uint(b):
    return struct.unpack("I" if len(b) == 4 else "Q", b)[0]


def request(sock, family, cmd, body, dump=False):
    flags = NLM_F_REQUEST | (NLM_F_DUMP if dump else NLM_F_ACK)
    payload = struct.pack("BBH", cmd, 1, 0) + body
    sock.send(struct.pack("IHHII", 16 + len(payload), family, flags, 1, 0) + payload)
    replies = []
    while True:
        data = sock.recv(1 << 16)
        off = 0
        while off + 16 <= len(data):
            mlen, mtype, _, _, _ = struct.unpack_from("IHHII", data, off)
            msg = data[off + 16:off + mlen]
            off += (mlen + 3) & ~3
            if mtype == NLMSG_DONE:
                return replies
            if mtype == NLMSG_ERROR:
                err = -struct.unpack_from("i", msg)[0]
                if err == 0:
                    return replies
                if err in (errno.EOPNOTSUPP, errno.ENOENT) and family == GENL_ID_CTRL:
                    raise Unsupported("no netdev family")
                if err == errno.EOPNOTSUPP:
                    raise Unsupported(os.strerror(err))
                raise OSError(err, os.strerror(err))
            replies.append(attrs(msg[4:]))


def family_id(sock):
    r = request(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                attr(CTRL_ATTR_FAMILY_NAME, b"netdev\0"))
    return struct.unpack("H", r[0][CTRL_ATTR_FAMILY_ID])[0]


def main(argv):
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    fam = family_id(sock)
    if argv[0] == "queue":
        body = (attr(A_QUEUE_IFINDEX, struct.pack("I", int(argv[1]))) +
                attr(A_QUEUE_TYPE, struct.pack("I", 0 if argv[2] == "rx" else 1)) +
                attr(A_QUEUE_ID, struct.pack("I", int(argv[3]))))
        r = request(sock, fam, CMD_QUEUE_GET, body)
        print("napi_id", uint(r[0][A_QUEUE_NAPI_ID]) if A_QUEUE_NAPI_ID in r[0] else 0)
    elif argv[0] == "napi":
        r = request(sock, fam, CMD_NAPI_GET, attr(A_NAPI_ID, struct.pack("I", int(argv[1]))))
        print("irq", uint(r[0][A_NAPI_IRQ]) if A_NAPI_IRQ in r[0] else -1)
    elif argv[0] == "qstats":
        body = attr(A_QSTATS_IFINDEX, struct.pack("I", int(argv[1])))
        if len(argv) > 2 and argv[2] == "queue":
            body += attr(A_QSTATS_SCOPE, struct.pack("I", 1))
        for a in request(sock, fam, CMD_QSTATS_GET, body, dump=True):
            kind = "-"
            if A_QSTATS_QUEUE_TYPE in a:
                kind = "rx" if uint(a[A_QSTATS_QUEUE_TYPE]) == 0 else "tx"
            qid = uint(a[A_QSTATS_QUEUE_ID]) if A_QSTATS_QUEUE_ID in a else "-"
            vals = " ".join("%s=%d" % (QSTATS[k], uint(v)) for k, v in sorted(a.items())
                            if k in QSTATS)
            print(kind, qid, vals)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Unsupported as e:
        print("netdev_nl.py: kernel without it: %s" % e, file=sys.stderr)
        sys.exit(3)
    except (IndexError, ValueError):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
