#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""udp_flows.py SRC DST DPORT SPORT:COUNT...: COUNT datagrams from each source port."""
import socket
import sys

src, dst, dport = sys.argv[1], sys.argv[2], int(sys.argv[3])
for arg in sys.argv[4:]:
    sp, count = (int(x) for x in arg.split(":"))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, sp))
    for _ in range(count):
        s.sendto(b"ntvnic-rss", (dst, dport))
    s.close()
