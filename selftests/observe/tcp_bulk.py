#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tcp_bulk.py server ADDR PORT: accept connections and read them to EOF.
tcp_bulk.py client ADDR PORT SECONDS MARKER: connect, create the file
MARKER (so a test can change the path once the handshake is done), wait
1 s, then send for SECONDS and close."""
import socket
import sys
import threading
import time

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "server":
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(8)

    def drain(c):
        while c.recv(65536):
            pass
        c.close()

    while True:
        conn, _ = srv.accept()
        threading.Thread(target=drain, args=(conn,), daemon=True).start()
else:
    seconds, marker = float(sys.argv[4]), sys.argv[5]
    s = socket.create_connection((addr, port))
    open(marker, "w").close()
    time.sleep(1)
    buf = b"x" * 65536
    end = time.time() + seconds
    while time.time() < end:
        s.send(buf)
    s.close()
