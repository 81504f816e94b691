#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tcp_send.py DST PORT BYTES: send BYTES over one TCP connection, then
wait until the receiver has read them all and closed (its EOF)."""
import socket
import sys

dst, port, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.create_connection((dst, port), timeout=20)
chunk = b"\0" * 65536
left = total
while left > 0:
    n = min(left, len(chunk))
    s.sendall(chunk[:n])
    left -= n
s.shutdown(socket.SHUT_WR)
while s.recv(4096):
    pass
s.close()
