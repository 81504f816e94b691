#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""csum_frame.py IFACE DST_MAC SRC_IP DST_IP DPORT good|bad...: one raw
Ethernet frame (AF_PACKET, so the stack computes nothing) per argument: an
IPv4/UDP datagram whose UDP checksum is right (good) or off by one (bad)."""
import socket
import struct
import sys


def csum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src_mac, dst_mac, src, dst, dport, bad):
    payload = b"ntvnic-csum-check"
    ulen = 8 + len(payload)
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    pseudo = s + d + struct.pack("!BBH", 0, socket.IPPROTO_UDP, ulen)
    udp = struct.pack("!HHHH", 40000, dport, ulen, 0) + payload
    check = csum16(pseudo + udp) or 0xFFFF
    if bad:
        check = (check + 1) & 0xFFFF or 1
    udp = udp[:6] + struct.pack("!H", check) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 1, 0x4000, 64,
                     socket.IPPROTO_UDP, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum16(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + udp


def main():
    iface, dst_mac, src, dst, dport = sys.argv[1:6]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((iface, 0))
    src_mac = sock.getsockname()[4]
    dmac = bytes.fromhex(dst_mac.replace(":", ""))
    for kind in sys.argv[6:]:
        sock.send(frame(src_mac, dmac, src, dst, int(dport), kind == "bad"))


main()
