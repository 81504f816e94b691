#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""UDP and raw-frame helpers for selftests/vnic/test_xdp*.sh.

  xdp_udp.py send SRC DST DPORT N [PAYLOAD]    N datagrams, prints nothing
  xdp_udp.py echo SRC SPORT DST DPORT N        send N from SRC:SPORT, print
                                              how many came back (1 s wait)
  xdp_udp.py recv ADDR PORT COUNT SECONDS      print "COUNT LAST_PAYLOAD"
                                              once COUNT came or after SECONDS
  xdp_udp.py encap IFACE DSTMAC SRC DST DPORT N
        N raw frames [eth 0x88B5][eth 0x0800][IPv4][UDP "encap"] on IFACE
"""
import socket
import struct
import sys


def send(src, dst, dport, n, payload=b"xdp"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    for _ in range(n):
        s.sendto(payload, (dst, dport))


def echo(src, sport, dst, dport, n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, sport))
    for _ in range(n):
        s.sendto(b"echo", (dst, dport))
    s.settimeout(1.0)
    got = 0
    try:
        while got < n:
            s.recv(2048)
            got += 1
    except socket.timeout:
        pass
    print(got)


def recv(addr, port, count, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    s.settimeout(seconds)
    got, last = 0, b"-"
    try:
        while got < count:
            last = s.recv(4096)
            got += 1
    except socket.timeout:
        pass
    print(got, last.decode(errors="replace"))
    sys.stdout.flush()


def ip_checksum(hdr):
    total = sum(struct.unpack("!10H", hdr))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def encap(iface, dstmac, src, dst, dport, n):
    mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
    with open(f"/sys/class/net/{iface}/address") as f:
        own = mac(f.read().strip())
    dmac = mac(dstmac)
    payload = b"encap"
    udp = struct.pack("!HHHH", 40000, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64,
                     socket.IPPROTO_UDP, 0, socket.inet_aton(src),
                     socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    inner = dmac + own + struct.pack("!H", 0x0800) + ip + udp
    frame = dmac + own + struct.pack("!H", 0x88B5) + inner
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for _ in range(n):
        s.send(frame)


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "send":
        send(a[0], a[1], int(a[2]), int(a[3]), (a[4] if len(a) > 4 else "xdp").encode())
    elif cmd == "echo":
        echo(a[0], int(a[1]), a[2], int(a[3]), int(a[4]))
    elif cmd == "recv":
        recv(a[0], int(a[1]), int(a[2]), float(a[3]))
    elif cmd == "encap":
        encap(a[0], a[1], a[2], a[3], int(a[4]), int(a[5]))
    else:
        sys.exit(f"xdp_udp.py: unknown command {cmd}")


if __name__ == "__main__":
    main()
