#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reference Toeplitz RSS for the ntvnic selftests.

  toeplitz.py DEV SRC DST tcp|udp SPORT... --dport N
prints "sport queue hash" per flow (4-tuple hash, as for TCP/UDP), using DEV's key and indirection table
read from `ethtool -x DEV` (run inside the right namespace).
"""
import ipaddress
import re
import subprocess
import sys


def toeplitz(key, data):
    h = 0
    v = int.from_bytes(key[:4], "big")
    bits = len(key) * 8
    kint = int.from_bytes(key, "big")
    for i, byte in enumerate(data):
        for b in range(8):
            if byte & (0x80 >> b):
                h ^= v
            pos = 32 + i * 8 + b  # next key bit to shift in
            v = ((v << 1) & 0xFFFFFFFF) | ((kint >> (bits - 1 - pos)) & 1)
    return h


def read_rss(dev):
    out = subprocess.run(["ethtool", "-x", dev], capture_output=True,
                         text=True, check=True).stdout
    indir = []
    key = None
    lines = out.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"\s*\d+:\s+([\d\s]+)$", line)
        if m:
            indir += [int(x) for x in m.group(1).split()]
        if line.startswith("RSS hash key"):
            key = bytes(int(x, 16) for x in lines[i + 1].strip().split(":"))
    return key, indir


def main():
    args = sys.argv[1:]
    dport = int(args[args.index("--dport") + 1])
    del args[args.index("--dport"):args.index("--dport") + 2]
    dev, src, dst, sports = args[0], args[1], args[2], args[4:]
    key, indir = read_rss(dev)
    assert len(indir) == 128 and len(key) == 40, (len(indir), key)
    s = ipaddress.ip_address(src).packed
    d = ipaddress.ip_address(dst).packed
    for sp in sports:
        data = s + d + int(sp).to_bytes(2, "big") + dport.to_bytes(2, "big")
        h = toeplitz(key, data)
        print(sp, indir[h % 128], "%08x" % h)


if __name__ == "__main__":
    main()
