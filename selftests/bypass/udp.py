#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""UDP echo pair with exact counts, for the ntbypass selftests.

  udp.py echo ADDR PORT [PORT...]   echo every datagram back, until killed
                                    (ADDR :: = IPv6 and IPv4)
  udp.py send ADDR PORT N [--sport P] [--size B] [--timeout S] [--gap S]
      sends N datagrams one at a time, each waiting for its echo (resent
      never: a lost datagram or echo counts as lost). Prints
      "sent N received M". Several sends in one process: separate with ",".
"""
import select
import socket
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def echo(addr, ports):
    socks = []
    for p in ports:
        s = socket.socket(family(addr), socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if addr == "::":  # dual stack: IPv4 too, one process for both
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind((addr, int(p)))
        socks.append(s)
    print("ready", flush=True)
    while True:
        r, _, _ = select.select(socks, [], [])
        for s in r:
            data, peer = s.recvfrom(65535)
            s.sendto(data, peer)


def send(addr, port, n, sport=0, size=32, timeout=2.0, gap=0.0):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    if sport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if family(addr) == socket.AF_INET6 else "0.0.0.0", sport))
    s.connect((addr, port))
    got = 0
    for i in range(n):
        payload = (b"%08d" % i).ljust(size, b"x")
        s.send(payload)
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([s], [], [], left)
            if not r:
                break
            try:
                data = s.recv(65535)
            except ConnectionRefusedError:
                break
            if data == payload:
                got += 1
                break
        if gap:
            time.sleep(gap)
    print(f"sent {n} received {got}", flush=True)


def main(argv):
    if argv[0] == "echo":
        echo(argv[1], argv[2:])
    elif argv[0] == "send":
        # several sends in one process: separate them with ","
        spec = []
        for a in argv[1:] + [","]:
            if a != ",":
                spec.append(a)
                continue
            opts = {"--sport": 0, "--size": 32, "--timeout": 2.0, "--gap": 0.0}
            pos = []
            it = iter(spec)
            for w in it:
                if w in opts:
                    opts[w] = type(opts[w])(next(it))
                else:
                    pos.append(w)
            send(pos[0], int(pos[1]), int(pos[2]), opts["--sport"], opts["--size"],
                 opts["--timeout"], opts["--gap"])
            spec = []
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
