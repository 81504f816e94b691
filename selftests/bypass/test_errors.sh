#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad rules are refused by the kernel with the extack message that names
# the problem (sent raw, past the CLI's own checks); a refused REPLACE
# changes nothing; the 65536-rule cap holds for REPLACE and ADD; changes
# need CAP_NET_ADMIN, reading does not. nettune warns when a rule may take
# a NAT rule's packets out of conntrack (iptables-nft and nft rules), and
# has nothing to warn about without a NAT chain.
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
bypass_modules
nt_plan 41
nt_netns_new a || nt_skip_all "cannot create a namespace"
ip -n "$NS_a" link add dummy0 type dummy

refused() {
	local desc=$1 pattern=$2
	shift 2
	nt_check_fails "$desc" 1 "$pattern" ntb "$NS_a" "$@"
}

# One Python process for the single-rule cases (it starts slowly in the
# VM): each line "DESCRIPTION | EXPECTED OUTPUT (regex) | COMMAND".
cases=(
	"port 0 refused|port 0 is not a valid port|add proto=6 dport=0"
	"range ending at port 0 refused|port 0 is not a valid port|add proto=6 sport=10-0"
	"upside-down port range refused|port range upside down|add proto=6 dport=90-80"
	"IPv4 prefix /33 refused|bad prefix length: an IPv4 prefix is at most 32 bits|add family=4 src=10.0.0.0/33"
	"IPv6 prefix /129 refused|bad prefix length: an IPv6 prefix is at most 128 bits|add family=6 dst=fd00::/129"
	"prefix without family refused|needs the address family|add src=10.0.0.0/8"
	"IPv4 address in an IPv6 rule refused|address length does not match the family|add family=6 src=10.0.0.0/8"
	"unknown family refused|family must be AF_INET|add family=7"
	"ports on ICMP refused|ports need proto tcp, udp, udplite, sctp or dccp|add proto=1 dport=80"
	"ports without a protocol refused|ports need proto|add dport=80"
	"protocol 0 refused by the policy|out of range|add proto=0"
	"unknown interface name refused|unknown interface|add proto=6 dport=80 iifname=nosuch0"
	"unknown interface index refused|unknown interface|add proto=6 dport=80 oif=9999"
	"index and name of different devices refused|different devices|add iif=1 iifname=dummy0"
	"rule id in ADD refused|rule ids are assigned by the kernel|add id=5 proto=6 dport=1"
	"a good rule is accepted|^id [0-9]+$|add proto=6 dport=80 both"
	"duplicate rule refused|duplicate rule|add proto=6 dport=80 both"
	"same ports without 'both' is another rule|^id [0-9]+$|add proto=6 dport=80"
	"interface by name is accepted|^id [0-9]+$|add proto=17 dport=53 iifname=dummy0"
	"deleting an unknown id refused|no such rule|del id=999"
)
mapfile -t results < <(for c in "${cases[@]}"; do echo "${c##*|}"; done | ntb "$NS_a" batch 2>&1)
for i in "${!cases[@]}"; do
	IFS='|' read -r desc pattern _ <<<"${cases[$i]}"
	if grep -qE -- "$pattern" <<<"${results[$i]:-}"; then
		nt_pass "$desc"
	else
		nt_fail "$desc" "command: ${cases[$i]##*|}" "got: ${results[$i]:-<nothing>}" "expected /$pattern/"
	fi
done

# The kernel's messages reach the user through nettune (exit 1)
nt_check_fails "nettune: duplicate refused with the kernel's message" 1 "duplicate rule" \
	nt "$NS_a" bypass add proto tcp dport 80 both
nt_check_fails "nettune: unknown interface refused" 1 "unknown interface|no device" \
	nt "$NS_a" bypass add proto udp dport 53 iif nosuch0
nt_check_fails "nettune: unprivileged add refused" 1 "CAP_NET_ADMIN|not permitted" \
	ip netns exec "$NS_a" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$NETTUNE" bypass add proto tcp dport 81

# A refused REPLACE changes nothing; the cap of 65536 rules per namespace
# holds for REPLACE and ADD. One batch again; results by line number.
mapfile -t r < <(ntb "$NS_a" batch 2>&1 <<'EOF2'
dump
replace-list proto=6 dport=81 , proto=6 dport=0
replace-list proto=6 dport=81 , proto=17 dport=1 , proto=6 dport=81
dump
gen-replace 65537 6 1
dump
gen-replace 65536 17 1
status
add proto=6 dport=443
flush
status
add proto=6 dport=22
EOF2
)
before=${r[0]}
nt_ge "the batch ran to its end" "${#r[@]}" 12
nt_eq "the set before has the three rules added above" 3 "$(grep -o 'id=' <<<"$before" | wc -l)"
grep -q "port 0 is not a valid port" <<<"${r[1]}" && nt_pass "REPLACE with one bad rule is refused" ||
	nt_fail "REPLACE with one bad rule is refused" "got: ${r[1]}"
grep -q "duplicate rule" <<<"${r[2]}" && nt_pass "REPLACE with a duplicate inside is refused" ||
	nt_fail "REPLACE with a duplicate inside is refused" "got: ${r[2]}"
nt_eq "a refused REPLACE leaves the old rule set" "$before" "${r[3]}"
grep -q "too many rules: a namespace holds at most 65536" <<<"${r[4]}" && nt_pass "65537 rules refused" ||
	nt_fail "65537 rules refused" "got: ${r[4]}"
nt_eq "... and the old set stays" "$before" "${r[5]}"
nt_eq "65536 rules accepted (one REPLACE, top-level rule nests)" ok "${r[6]}"
nt_eq "status counts 65536 rules" "rules=65536" "$(grep -oE 'rules=[0-9]+' <<<"${r[7]}")"
grep -q "too many rules" <<<"${r[8]}" && nt_pass "ADD past the cap refused" ||
	nt_fail "ADD past the cap refused" "got: ${r[8]}"
nt_eq "flush" ok "${r[9]}"
nt_eq "no rules, hooks gone after flush" "rules=0 hooked=0" \
	"$(grep -oE '(rules|hooked)=[0-9]+' <<<"${r[10]}" | tr '\n' ' ' | sed 's/ $//')"

# privileges: CAP_NET_ADMIN for changes, reading is open
mapfile -t r < <(printf 'add proto=6 dport=23\nflush\ndump\n' |
	ip netns exec "$NS_a" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$PY" "${PYFLAGS[@]}" "$BYPASS_DIR/ntb.py" batch 2>&1)
grep -q "Operation not permitted" <<<"${r[0]}" && nt_pass "unprivileged ADD refused" ||
	nt_fail "unprivileged ADD refused" "got: ${r[0]}"
grep -q "Operation not permitted" <<<"${r[1]}" && nt_pass "unprivileged FLUSH refused" ||
	nt_fail "unprivileged FLUSH refused" "got: ${r[1]}"
nt_eq "unprivileged dump works and shows the one rule" "dport_min=22" "$(grep -oE 'dport_min=[0-9]+' <<<"${r[2]}")"

# NAT overlap warnings (untracked packets skip NAT)
nat_warning() { ip netns exec "$NS_a" "$NETTUNE" bypass add proto udp dport "$1" 2>&1 >/dev/null | grep -c "may match packets of NAT rule"; }
nt_eq "no NAT chain in the namespace: no warning" 0 "$(nat_warning 7100)"
ip netns exec "$NS_a" iptables -w -t nat -A PREROUTING -p udp --dport 7200 -j REDIRECT --to-ports 7201
nt_eq "an iptables REDIRECT of udp 7200: adding 'dport 7200' warns once" 1 "$(nat_warning 7200)"
ip netns exec "$NS_a" nft -f - <<'NFT'
table inet ntnat {
	chain pre {
		type nat hook prerouting priority -90;
		udp dport 7300 redirect to :7301
	}
}
NFT
nt_eq "an nft redirect of udp 7300 too: adding 'dport 7300' warns once" 1 "$(nat_warning 7300)"
nt_done
