#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""busy_echo.py server ADDR PORT BUSY_US COUNT | client SRC DST PORT COUNT

server: a UDP echo for COUNT datagrams; with BUSY_US > 0 its socket has
SO_BUSY_POLL BUSY_US (it polls the RX NAPI while it waits). Prints the
socket's SO_INCOMING_NAPI_ID after the last datagram.
client: COUNT request/response round trips; prints the median and the
smallest round trip in microseconds."""
import socket
import sys
import time

SO_BUSY_POLL = 46
SO_INCOMING_NAPI_ID = 56

if sys.argv[1] == "server":
    addr, port, busy_us, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if busy_us:
        s.setsockopt(socket.SOL_SOCKET, SO_BUSY_POLL, busy_us)
    s.bind((addr, port))
    print("ready", flush=True)
    for _ in range(count):
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)
    print(s.getsockopt(socket.SOL_SOCKET, SO_INCOMING_NAPI_ID), flush=True)
else:
    src, dst, port, count = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.settimeout(2)
    rtts = []
    for i in range(count):
        t0 = time.perf_counter()
        s.sendto(b"%d" % i, (dst, port))
        s.recvfrom(2048)
        rtts.append((time.perf_counter() - t0) * 1e6)
    rtts.sort()
    print(int(rtts[len(rtts) // 2]), int(rtts[0]))
