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
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from genl import Genl, NlError, attr, uint  # noqa: E402

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


def request(g, cmd, body, dump=False):
    try:
        return g.req(cmd, body, dump)
    except NlError as e:
        if e.err == errno.EOPNOTSUPP:
            raise Unsupported(e.text)
        raise


def netdev_family():
    try:
        return Genl("netdev")
    except NlError as e:
        if e.err in (errno.EOPNOTSUPP, errno.ENOENT):
            raise Unsupported("no netdev family")
        raise


def main(argv):
    g = netdev_family()
    if argv[0] == "queue":
        body = (attr(A_QUEUE_IFINDEX, struct.pack("I", int(argv[1]))) +
                attr(A_QUEUE_TYPE, struct.pack("I", 0 if argv[2] == "rx" else 1)) +
                attr(A_QUEUE_ID, struct.pack("I", int(argv[3]))))
        r = request(g, CMD_QUEUE_GET, body)
        print("napi_id", uint(r[0][A_QUEUE_NAPI_ID]) if A_QUEUE_NAPI_ID in r[0] else 0)
    elif argv[0] == "napi":
        r = request(g, CMD_NAPI_GET, attr(A_NAPI_ID, struct.pack("I", int(argv[1]))))
        print("irq", uint(r[0][A_NAPI_IRQ]) if A_NAPI_IRQ in r[0] else -1)
    elif argv[0] == "qstats":
        body = attr(A_QSTATS_IFINDEX, struct.pack("I", int(argv[1])))
        if len(argv) > 2 and argv[2] == "queue":
            body += attr(A_QSTATS_SCOPE, struct.pack("I", 1))
        for a in request(g, CMD_QSTATS_GET, body, dump=True):
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
