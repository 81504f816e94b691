# SPDX-License-Identifier: GPL-2.0
"""genl.py: the small generic netlink client the selftests' helpers share
(bypass/ntb.py for ntbypass, vnic/netdev_nl.py for the kernel's netdev
family). Attributes in and out, a family's id by name, one request and
its replies, errors with their extended-ack message.

A helper in a subdirectory imports it with

  sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
  import genl

(selftests/fuzz/nlfuzz.py keeps its own client: it sends malformed
messages on purpose, which this one never builds.)"""
import os
import socket
import struct

NETLINK_GENERIC = 16
SOL_NETLINK, NETLINK_CAP_ACK, NETLINK_EXT_ACK = 270, 10, 11
SO_SNDBUFFORCE = 32
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_DUMP = 1, 2, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLMSGERR_ATTR_MSG = 1
NLMSG_HDR = struct.Struct("IHHII")
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLA_F_NESTED = 0x8000


def attr(atype, payload):
    """One attribute: header, payload, padding to 4 bytes."""
    return struct.pack("HH", 4 + len(payload), atype) + payload + b"\0" * (-len(payload) % 4)


def parse_attrs(buf):
    """The attributes of one level: {type (flags masked off): payload}."""
    out, off = {}, 0
    while off + 4 <= len(buf):
        alen, atype = struct.unpack_from("HH", buf, off)
        if alen < 4:
            break
        out[atype & 0x3FFF] = buf[off + 4:off + alen]
        off += (alen + 3) & ~3
    return out


def uint(payload):
    """An unsigned attribute of 1, 2, 4 or 8 bytes."""
    return int.from_bytes(payload, "little")


class NlError(Exception):
    """The kernel refused a request: errno and its extack message (or
    strerror when it sent none)."""

    def __init__(self, err, text):
        super().__init__(text)
        self.err, self.text = err, text


class Genl:
    """A generic netlink socket bound to one family, by name. big_send
    raises the send buffer for requests of megabytes (ntbypass's REPLACE
    of 65536 rules is about 1.3 MB)."""

    def __init__(self, family, big_send=False):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        if big_send:
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 8 << 20)
            except PermissionError:
                pass
        self.sock.bind((0, 0))
        self.seq = 1
        reply = self.transact(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                              attr(CTRL_ATTR_FAMILY_NAME, family.encode() + b"\0"))
        self.fid = uint(reply[0][CTRL_ATTR_FAMILY_ID][:2])

    def transact(self, msg_type, cmd, payload=b"", flags=NLM_F_ACK):
        """Send one request; return the attributes of each reply message,
        up to the acknowledgement or the end of the dump."""
        self.seq += 1
        body = struct.pack("BBH", cmd, 1, 0) + payload
        self.sock.send(NLMSG_HDR.pack(16 + len(body), msg_type, NLM_F_REQUEST | flags,
                                      self.seq, 0) + body)
        replies = []
        while True:
            data = self.sock.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                mlen, mtype, mflags, _, _ = NLMSG_HDR.unpack_from(data, off)
                msg = data[off + 16:off + mlen]
                off += (mlen + 3) & ~3
                if mtype == NLMSG_DONE:
                    return replies
                if mtype == NLMSG_ERROR:
                    err = -struct.unpack_from("i", msg)[0]
                    if err == 0:
                        return replies
                    # NETLINK_CAP_ACK: errno, the request's header, TLVs.
                    tlv = parse_attrs(msg[4 + 16:])
                    text = tlv.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode()
                    raise NlError(err, text or os.strerror(err))
                replies.append(parse_attrs(msg[4:]))
                if not mflags & NLM_F_MULTI and not flags & (NLM_F_DUMP | NLM_F_ACK):
                    return replies

    def req(self, cmd, payload=b"", dump=False):
        """A request to the bound family: acknowledged, or a dump."""
        return self.transact(self.fid, cmd, payload, NLM_F_DUMP if dump else NLM_F_ACK)
