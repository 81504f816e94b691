#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# ethtool -K on ntvnic under TCP, the settings test_offloads.sh leaves
# out: TSO trains cut on receive when the receiver's GRO is off
# (rx_gso_split = the sender's tx_tso_segs, one skb per frame);
# tx-checksum off (the stack checksums, TSO goes off, the receiver checks
# every frame); sg off (the stack linearises); rx-checksum off (frames go
# up unverified, TSO trains cut, the stack finds every checksum right).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
source "$(dirname "$0")/offload_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3 taskset socat
[ -x "$NETTUNE" ] || nt_skip_all "nettune not built ($NETTUNE)"
nt_plan 13

offload_setup

# --- tso on, gro off on vb: TSO trains cut on receive ---------------------
kset "$NS_b" vb gro off
kset "$NS_a" va tso on
delta stream
nt_log "tso on, gro off: va segs +${D[a_tx_queue_0_tso_segs]}; vb split +${D[b_rx_queue_0_gso_split]} frames/skbs $(frames)"
nt_ge "tso on, gro off: va sent TSO packets" "${D[a_tx_queue_0_tso_packets]}" 1
nt_eq "gro off: vb cut every TSO train into its frames" \
	"${D[a_tx_queue_0_tso_segs]}" "${D[b_rx_queue_0_gso_split]}"
read -r segs skbs <<<"$(frames)"
nt_eq "gro off: still one skb per frame" "$segs" "$skbs"
kset "$NS_b" vb gro on


# --- tx-checksum off: the stack checksums, TSO goes with it ---------------------
kset "$NS_a" va tx off
nt_eq "tx off: the core turns tso off too" off "$(kget "$NS_a" va tcp-segmentation-offload)"
delta stream
nt_log "tx-csum off: va csum +${D[a_tx_queue_0_csum_offload]} tso +${D[a_tx_queue_0_tso_packets]}; vb verified +${D[b_rx_queue_0_csum_verified]} rx +${D[b_rx_queue_0_packets]}"
nt_eq "tx-checksum off: va filled no checksum" 0 "${D[a_tx_queue_0_csum_offload]}"
nt_eq "tx-checksum off: no TSO" 0 "${D[a_tx_queue_0_tso_packets]}"
nt_eq "rx-checksum on: vb checked every software-checksummed frame" \
	"${D[b_rx_queue_0_packets]}" "${D[b_rx_queue_0_csum_verified]}"
nt_eq "no checksum errors at vb's TCP" 0 "${D[Tcp_InCsumErrors]}"
kset "$NS_a" va tx on tso on

# --- sg off: the stack linearises ------------------------------------------------
kset "$NS_a" va sg off
delta stream
nt_log "sg off: va sg +${D[a_tx_queue_0_sg_packets]} tso +${D[a_tx_queue_0_tso_packets]} tx +${D[a_tx_queue_0_packets]}"
nt_eq "sg off: va got only linear packets" 0 "${D[a_tx_queue_0_sg_packets]}"
nt_ge "sg off: the transfer still went through" "${D[a_tx_queue_0_packets]}" 100
kset "$NS_a" va sg on tso on

# --- rx-checksum off on vb: the stack verifies -----------------------------------
kset "$NS_b" vb rx off
delta stream
nt_log "rx-csum off: vb none +${D[b_rx_queue_0_csum_none]} verified +${D[b_rx_queue_0_csum_verified]} split +${D[b_rx_queue_0_gso_split]}"
nt_eq "rx-checksum off: vb verified nothing" 0 "${D[b_rx_queue_0_csum_verified]}"
nt_ge "rx-checksum off: frames went up unverified" "${D[b_rx_queue_0_csum_none]}" 100
nt_eq "rx-checksum off: the stack found every checksum right" 0 "${D[Tcp_InCsumErrors]}"

kset "$NS_b" vb rx on
nt_done
