#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ethtool -k/-K on ntvnic: offloads off and on have the effect a real
# NIC's have, counted on both ports (ethtool -S, nettune vnic show -s):
#   tso on   the port takes TSO packets and the wire carries their frames
#            (tx_tso_segs / tx_tso_packets > 1), tx-checksum fills each
#            frame's checksum, sg takes page fragments; tso off: the stack
#            segments, each packet the port sends is one wire frame
#   gro      on: frames merged (rx_gro_merged; IpExt InNoECTPkts above
#            Ip InReceives by exactly that); off: one skb per wire frame
#   rx-csum  on: the port checks each frame (rx_csum_verified), a corrupted
#            one is rx_csum_bad and the stack drops it (Udp InCsumErrors);
#            off: frames go up unverified (rx_csum_none), the stack checks
# A 400 KB TCP transfer per setting (sender and IRQs on CPU 0), raw UDP
# frames with a good and a bad checksum. tx-checksum off, sg off, TSO
# trains cut on receive and rx-checksum off under TCP:
# test_offloads_full.sh.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
source "$(dirname "$0")/offload_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3 taskset socat jq
[ -x "$NETTUNE" ] || nt_skip_all "nettune not built ($NETTUNE)"
nt_plan 25

offload_setup

# --- everything on (the default) ----------------------------------------------
nt_eq "ethtool -k va: tcp-segmentation-offload on by default" on "$(kget "$NS_a" va tcp-segmentation-offload)"
delta stream
nt_log "all on: va tso +${D[a_tx_queue_0_tso_packets]} segs +${D[a_tx_queue_0_tso_segs]} csum +${D[a_tx_queue_0_csum_offload]} sg +${D[a_tx_queue_0_sg_packets]}; vb verified +${D[b_rx_queue_0_csum_verified]} merged +${D[b_rx_queue_0_gro_merged]} frames/skbs $(frames)"
nt_ge "tso on: va took TSO packets" "${D[a_tx_queue_0_tso_packets]}" 1
nt_check "tso on: more than one wire frame per TSO packet" \
	test "${D[a_tx_queue_0_tso_segs]}" -gt "${D[a_tx_queue_0_tso_packets]}"
nt_ge "tx-checksum on: va filled the checksum of every data frame" \
	"${D[a_tx_queue_0_csum_offload]}" "${D[a_tx_queue_0_tso_segs]}"
nt_ge "sg on: va gathered page fragments" "${D[a_tx_queue_0_sg_packets]}" 1
nt_ge "rx-checksum on: vb found frames good" "${D[b_rx_queue_0_csum_verified]}" 1
nt_eq "rx-checksum on: none bad" 0 "${D[b_rx_queue_0_csum_bad]}"
read -r segs skbs <<<"$(frames)"
nt_check "gro on: vb's stack saw fewer skbs ($skbs) than frames ($segs)" test "$skbs" -lt "$segs"

# --- tso off: the stack segments -------------------------------------------------
kset "$NS_a" va tso off
delta stream
nt_log "tso off: va tx +${D[a_tx_queue_0_packets]} tso +${D[a_tx_queue_0_tso_packets]}; vb rx +${D[b_rx_queue_0_packets]} merged +${D[b_rx_queue_0_gro_merged]} frames/skbs $(frames)"
nt_eq "tso off: va took no TSO packet" 0 "${D[a_tx_queue_0_tso_packets]}"
nt_eq "tso off: va's packets are the wire frames vb received" \
	"${D[a_tx_queue_0_packets]}" "${D[b_rx_queue_0_packets]}"
nt_ge "tso off: IpExt InNoECTPkts counts every frame" "${D[IpExt_InNoECTPkts]}" 100
nt_ge "gro on: vb merged frames (rx_gro_merged)" "${D[b_rx_queue_0_gro_merged]}" 1
read -r segs skbs <<<"$(frames)"
nt_eq "gro on: skbs = frames - merged" "$((segs - D[b_rx_queue_0_gro_merged]))" "$skbs"

# --- gro off on vb: one skb per frame --------------------------------------------
kset "$NS_b" vb gro off
delta stream
nt_log "tso off, gro off: merged +${D[b_rx_queue_0_gro_merged]} frames/skbs $(frames)"
nt_eq "gro off: nothing merged" 0 "${D[b_rx_queue_0_gro_merged]}"
read -r segs skbs <<<"$(frames)"
nt_eq "gro off: one skb per frame (InReceives = InNoECTPkts)" "$segs" "$skbs"

kset "$NS_b" vb gro on
kset "$NS_a" va tso on

# --- a corrupted checksum: raw frames from va (AF_PACKET: nothing fills it) ------
raw() { ip netns exec "$NS_a" python3 -S -E "$VNIC_DIR/csum_frame.py" va "$(vnic_mac "$NS_b" vb)" 10.0.0.1 10.0.0.2 9999 "$@"; }
delta raw good bad
nt_log "rx-csum on, good+bad: vb verified +${D[b_rx_queue_0_csum_verified]} bad +${D[b_rx_queue_0_csum_bad]} InCsumErrors +${D[Udp_InCsumErrors]} NoPorts +${D[Udp_NoPorts]}"
nt_eq "rx-checksum on: vb found the good frame good" 1 "${D[b_rx_queue_0_csum_verified]}"
nt_eq "rx-checksum on: vb found the bad frame bad" 1 "${D[b_rx_queue_0_csum_bad]}"
nt_eq "rx-checksum on: the stack dropped it (Udp InCsumErrors)" 1 "${D[Udp_InCsumErrors]}"
nt_eq "the good one reached UDP (NoPorts: no socket on 9999)" 1 "${D[Udp_NoPorts]}"
kset "$NS_b" vb rx off
delta raw good bad
nt_log "rx-csum off, good+bad: vb none +${D[b_rx_queue_0_csum_none]} bad +${D[b_rx_queue_0_csum_bad]} InCsumErrors +${D[Udp_InCsumErrors]} NoPorts +${D[Udp_NoPorts]}"
nt_eq "rx-checksum off: both frames went up unverified" 2 "${D[b_rx_queue_0_csum_none]}"
nt_eq "rx-checksum off: vb judged none bad" 0 "${D[b_rx_queue_0_csum_bad]}"
nt_eq "rx-checksum off: the stack dropped the bad one (Udp InCsumErrors)" 1 "${D[Udp_InCsumErrors]}"
kset "$NS_b" vb rx on

# --- the same counters through nettune ------------------------------------------
out=$("$NETTUNE" -n "$NS_a" vnic show va -s)
nt_check "vnic show -s prints the offload table with the settings" \
	grep -q "^offloads (tx-checksum on, sg on, tso on, rx-checksum on, gro on)" <<<"$out"
json=$("$NETTUNE" -n "$NS_a" vnic show va -s --json)
field() { jq -r "if type == \"array\" then .[0] else . end | $1" <<<"$json"; }
nt_eq "vnic show -s --json: queue 0 tso_segs equals ethtool's" \
	"$(vnic_stat "$NS_a" va tx_queue_0_tso_segs)" "$(field '.queues[0].offloads.tso_segs')"
nt_eq "vnic show -s --json: offloads.gro of the port" true "$(field '.offloads.gro')"
nt_done
