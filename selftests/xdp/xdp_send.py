#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""xdp_send.py OP ARGS [OP ARGS ...]: traffic for the nettune xdp selftests,
several operations in one process (python starts slowly in the VM).

  udp SRC DST PORT COUNT          COUNT UDP datagrams SRC -> DST:PORT (v4 or v6)
  syn SRC DST PORT COUNT          COUNT raw TCP SYNs (IPv4, random source
                                  ports), prints "syn_elapsed SECONDS"
  synflood SRC DST PORT SECONDS   raw SYNs for SECONDS; prints "syn_sent N",
                                  "syn_elapsed SECONDS", "syn_window T0 T1"
  connect SRC DST PORT COUNT T    COUNT TCP connects, each must complete within
                                  T seconds; prints "connected N" and
                                  "connect_window T0 T1"
  sleep SECONDS
  bg OP ARGS                      runs OP in a child process and goes on at
                                  once (all children are waited for at the end)
(T0 T1: CLOCK_MONOTONIC, comparable across processes)
  listen ADDR PORTS SECONDS       listeners on PORTS (comma-separated) that
                                  never accept (the kernel completes
                                  handshakes into their backlogs)
"""
import os
import random
import socket
import struct
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def udp(src, dst, port, count):
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    s.bind((src, 0))
    for _ in range(count):
        s.sendto(b"x" * 32, (dst, port))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def send_syns(src, dst, port, count, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    s.bind((src, 0))
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, 20)
    start = time.monotonic()
    sent = 0
    while sent < count and (seconds is None or time.monotonic() - start < seconds):
        sport = random.randint(20000, 60000)
        seq = random.randint(0, 0xFFFFFFFF)
        hdr = struct.pack("!HHIIBBHHH", sport, port, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
        csum = checksum(pseudo + hdr)
        hdr = hdr[:16] + struct.pack("!H", csum) + hdr[18:]
        s.sendto(hdr, (dst, 0))
        sent += 1
    end = time.monotonic()
    print("syn_sent %d" % sent)
    print("syn_elapsed %.3f" % (end - start))
    print("syn_window %.3f %.3f" % (start, end))


def syn(src, dst, port, count):
    send_syns(src, dst, port, count, None)


def synflood(src, dst, port, seconds):
    send_syns(src, dst, port, 1 << 62, seconds)


def connect(src, dst, port, count, timeout):
    start = time.monotonic()
    ok = 0
    for _ in range(count):
        s = socket.socket(family(dst), socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.bind((src, 0))
        try:
            s.connect((dst, port))
            ok += 1
        except OSError:
            pass
        s.close()
    print("connected %d" % ok)
    print("connect_window %.3f %.3f" % (start, time.monotonic()))


def listen(addr, ports, seconds):
    socks = []
    for port in str(ports).split(","):
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, int(port)))
        s.listen(4096)
        socks.append(s)
    time.sleep(seconds)


OPS = {"sleep": (time.sleep, 1), "udp": (udp, 4), "syn": (syn, 4), "synflood": (synflood, 4), "connect": (connect, 5), "listen": (listen, 3)}


def number(word):
    return float(word) if "." in word else int(word)


def main(argv):
    i = 0
    children = []
    while i < len(argv):
        background = argv[i] == "bg"
        if background:
            i += 1
        fn, n = OPS[argv[i]]
        args = argv[i + 1:i + 1 + n]
        args = [a if a.count(".") == 3 or ":" in a or "," in a else number(a) for a in args]
        i += 1 + n
        if background:
            pid = os.fork()
            if pid:
                children.append(pid)
                continue
            fn(*args)
            sys.stdout.flush()
            os._exit(0)
        fn(*args)
        sys.stdout.flush()
    for pid in children:
        os.waitpid(pid, 0)


main(sys.argv[1:])
