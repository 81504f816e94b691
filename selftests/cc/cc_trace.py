#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Reads a recorded ntcubic:ntcubic_update trace (cc_trace_stop output).

  cc_trace.py reductions FILE   one line per loss: cwnd_before cwnd_after ratio
  cc_trace.py slowstart FILE    JSON: how the initial slow start ended

Only the connection with the most events is used (iperf3's control
connection also shows up).
"""
import json
import re
import sys
from collections import Counter

LINE = re.compile(r"\s(\d+\.\d+): ntcubic_update: (.*)$")


def events(path):
    evs = []
    with open(path) as f:
        for line in f:
            m = LINE.search(line)
            if not m:
                continue
            ev = {"t": float(m.group(1))}
            for kv in m.group(2).split():
                k, v = kv.split("=", 1)
                ev[k] = int(v) if v.isdigit() else v
            evs.append(ev)
    if not evs:
        return []
    main = Counter(e["sport"] for e in evs).most_common(1)[0][0]
    return [e for e in evs if e["sport"] == main]


def reductions(evs):
    """(cwnd at the loss, cwnd when the next epoch began) per loss that
    was followed by its recovery's end and no undo/RTO in between."""
    out = []
    pending = None
    for e in evs:
        if e["event"] == "loss":
            pending = e
        elif e["event"] in ("undo", "rto"):
            pending = None
        elif e["event"] == "epoch" and pending is not None:
            out.append((pending["cwnd"], e["cwnd"], pending["ssthresh"]))
            pending = None
    return out


def slowstart(evs):
    first_loss = next((e for e in evs if e["event"] == "loss"), None)
    css = next((e for e in evs if e["event"] == "css"), None)
    # HyStart++'s exit after CSS, or the ACK train's (hystart_ack_train)
    hs_exit = next((e for e in evs if e["event"] in ("hs_exit", "train")), None)
    r = {"events": len(evs), "first_loss_t": None, "css_t": None, "hs_exit_t": None}
    t0 = evs[0]["t"] if evs else 0
    if first_loss:
        r["first_loss_t"] = round(first_loss["t"] - t0, 4)
        r["first_loss_cwnd"] = first_loss["cwnd"]
    if css:
        r["css_t"] = round(css["t"] - t0, 4)
        r["css_cwnd"] = css["cwnd"]
        r["css_retrans"] = css["retrans"]
    if hs_exit:
        r["hs_exit_t"] = round(hs_exit["t"] - t0, 4)
        r["hs_exit_cwnd"] = hs_exit["cwnd"]
        r["hs_exit_by"] = hs_exit["event"]
    # slow start (with CSS) ends at HyStart++'s exit or at the first loss
    if hs_exit and (not first_loss or hs_exit["t"] <= first_loss["t"]):
        r["ended_by"] = "hystart"
        r["ss_retrans"] = hs_exit["retrans"]
        r["ss_end_cwnd"] = hs_exit["cwnd"]
    elif first_loss:
        r["ended_by"] = "loss"
        r["ss_end_cwnd"] = first_loss["cwnd"]
        # the overshoot's cost: retransmissions until that recovery ended
        after = [e for e in evs if e["t"] >= first_loss["t"] and e["event"] == "epoch"]
        r["ss_retrans"] = after[0]["retrans"] if after else evs[-1]["retrans"]
    else:
        r["ended_by"] = None
        r["ss_retrans"] = evs[-1]["retrans"] if evs else 0
    return r


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    evs = events(path)
    if cmd == "reductions":
        for before, after, ssthresh in reductions(evs):
            print(before, after, ssthresh, "%.3f" % (after / before))
    elif cmd == "slowstart":
        print(json.dumps(slowstart(evs)))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
