#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""udp_burst.py SRC DST DPORT SEGMENTS [BURSTS]: send BURSTS (default 1)
UDP GSO sends of SEGMENTS x 1000-byte datagrams. With GSO off on the
device, each send is segmented in software and the segments go through
ndo_start_xmit back to back with bottom halves off: a burst."""
import socket
import sys

UDP_SEGMENT = 103
src, dst, dport, segs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
bursts = int(sys.argv[5]) if len(sys.argv) > 5 else 1
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0))
s.setsockopt(socket.SOL_UDP, UDP_SEGMENT, 1000)
for _ in range(bursts):
    s.sendto(b"b" * (1000 * segs), (dst, dport))
