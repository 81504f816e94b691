#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nettune xdp refusals: each names what is wrong, exits 2 (usage) or 1
# (operation failed), and changes nothing. Also: --force replaces a
# program keeping the rules (and switches mode), a foreign XDP program is
# not replaced without --force, several attached devices need `dev`, and
# the pins of a deleted device go away.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/xdp_lib.sh"
nt_require_cmds ip jq bpftool
nt_plan 24

xdp_veth_setup || nt_skip_all "cannot create the veth pair"
nt_defer "$NETTUNE" -n "$NS_b" xdp detach vb

# Nothing attached yet.
nt_check_fails "rule with nothing attached" 1 "nothing attached: no device in this network namespace has nettune xdp" \
	nt_b xdp deny udp 53
nt_check_fails "stats with nothing attached" 1 "nothing attached" nt_b xdp stats
nt_check_fails "unknown device" 1 "no device 'nosuch0' in this network namespace" nt_b xdp attach nosuch0
nt_check_fails "ip netns exec (no bpffs in that mount namespace)" 1 "bpffs is not mounted at /sys/fs/bpf .*nettune -n NETNS" \
	ip netns exec "$NS_b" "$NETTUNE" xdp attach vb

nt_check "attach vb" nt_b xdp attach vb mode native
nt_b xdp block 10.20.0.64/26 >/dev/null
before=$(nt_b xdp show)
prog=$(sed -n 's/.*program id \([0-9]*\),.*/\1/p' <<<"$before")

nt_check_fails "second attach without --force" 1 "vb: nettune xdp is already attached \(native mode, program id $prog\); detach it first, or attach --force" \
	nt_b xdp attach vb
nt_check_fails "host bits past the prefix length" 2 "prefix: '10.20.0.65/26' has bits set past /26 \(the network is 10.20.0.64/26\)" \
	nt_b xdp block 10.20.0.65/26
nt_check_fails "port 0" 2 "port '0' is not in \[1, 65535\]" nt_b xdp deny tcp 0
nt_check_fails "synlimit rate 0" 2 "a rate of 0/s would drop every SYN; 'synlimit off' turns the limit off" \
	nt_b xdp synlimit 0/s burst 10
nt_check_fails "unblock what is not blocked" 1 "vb: 10.9.0.0/16 is not blocked" nt_b xdp unblock 10.9.0.0/16
nt_eq "the refusals changed nothing (show)" "$before" "$(nt_b xdp show)"

# A device without native XDP (dummy): the refusal points at generic mode.
ip -n "$NS_b" link add d0 up type dummy
nt_check_fails "native mode on a driver without it" 1 "d0: driver 'dummy' has no native XDP; 'mode generic' runs the program" \
	nt_b xdp attach d0 mode native
nt_check "d0 has no pins after the refusal" test ! -e "$(xdp_pin_dir "$NS_b" d0)"
nt_check "mode generic works there" nt_b xdp attach d0 mode generic
nt_check_fails "two devices: a rule needs dev" 2 "nettune xdp is attached to several devices \(d0, vb\): say which with 'dev DEV'" \
	nt_b xdp deny udp 53
nt_check "with dev d0 it acts on d0" nt_b xdp deny udp 53 dev d0
nt_eq "only d0 has the rule" "d0:1 vb:0" \
	"$(nt_b -j xdp show | jq -r 'map("\(.device):\(.rules.denied | length)") | join(" ")')"
d0dir=$(xdp_pin_dir "$NS_b" d0)
ip -n "$NS_b" link del d0
nt_check "a deleted device leaves the list" bash -c "\"$NETTUNE\" -n $NS_b xdp show | grep -Eq '^vb:' && ! \"$NETTUNE\" -n $NS_b xdp show | grep -q '^d0:'"
nt_check "and its pins are removed" test ! -e "$d0dir"

# --force: replaces our program (atomically, same mode), keeps the rules;
# another mode: re-attached there, rules still kept.
out=$(nt_b xdp attach vb --force)
nt_check "attach --force replaces, rules kept" grep -q "vb: nettune xdp replaced, native mode, .*(rules kept)" <<<"$out"
out=$(nt_b xdp attach vb mode generic --force)
show=$(nt_b xdp show)
nt_check "attach mode generic --force: generic, same rule" bash -c "grep -q '^vb: generic mode' <<<'$show' && grep -q 'block 10.20.0.64/26' <<<'$show'"
nt_check "detach" nt_b xdp detach vb

# A foreign XDP program (not ours) is not replaced without --force.
pin=/sys/fs/bpf/nt-xdp-foreign-$$
bpftool prog load "$NT_TOP/bpf/build/xdp_filter.bpf.o" "$pin" type xdp
nt_defer rm -f "$pin"
id=$(bpftool prog show pinned "$pin" | sed -n "s/^\([0-9]*\):.*/\1/p")
ip netns exec "$NS_b" bpftool net attach xdpgeneric id "$id" dev vb
nt_check_fails "a foreign program without --force" 1 "vb: another XDP program \(id $id\) is attached in generic mode; attach --force replaces it" \
	nt_b xdp attach vb
nt_check "with --force it is replaced" bash -c "\"$NETTUNE\" -n $NS_b xdp attach vb --force | grep -q replaced"
nt_done
