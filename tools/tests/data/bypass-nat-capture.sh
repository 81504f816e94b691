#!/bin/bash
# Captures real NAT rule listings for the bypass NAT-overlap fixtures.
# Run in the VM: scripts/vm-run --modules none --out DIR -- bash -c "$PWD/tools/tests/data/bypass-nat-capture.sh \$NTVM_OUT"
# (the nft text listing is kept beside the JSON for the reader).
set -x
out=$1
ip netns add cap
run() { ip netns exec cap "$@"; }
run ip link add eth0 type dummy
run iptables -t nat -N WEB
run iptables -t nat -A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.0.2:80
run iptables -t nat -A PREROUTING -i eth0 -j WEB
run iptables -t nat -A WEB -p udp -m multiport --dports 5000:5010,6000 -j DNAT --to-destination 10.0.0.3
run iptables -t nat -A WEB -p tcp --dport 22 -j RETURN
run iptables -t nat -A POSTROUTING -s 10.0.0.0/8 ! -o eth1 -j MASQUERADE
run iptables -t nat -A POSTROUTING -s 192.168.1.0/24 -d 203.0.113.0/24 -o eth+ -j SNAT --to-source 198.51.100.1
run iptables -t nat -A OUTPUT -p tcp -d 127.0.0.1 --dport 53 -j REDIRECT --to-ports 5353
run iptables -t filter -A INPUT -p tcp --dport 80 -j ACCEPT
run ip6tables -t nat -A PREROUTING -p tcp -d 2001:db8::1/128 --dport 443 -j DNAT --to-destination [2001:db8::2]:8443
run ip6tables -t nat -A POSTROUTING -s fd00::/8 -o eth0 -j MASQUERADE
run nft -f - <<'NFT'
table inet natx {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport { 80, 443, 1000-2000 } dnat ip to 10.0.0.5
		iifname "eth0" udp dport 53 redirect to :5353
		ip6 daddr 2001:db8:1::/48 meta l4proto udp dnat ip6 to [2001:db8::9]
		ip saddr 10.9.0.0/16 tcp sport 7000-7100 counter dnat ip to 10.0.0.6
		tcp dport 9999 counter accept
	}
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth0" ip saddr 192.168.0.0/16 masquerade
		ip daddr != 10.0.0.0/8 udp dport 123 snat ip to 198.51.100.7
	}
}
table ip filterx {
	chain in {
		type filter hook input priority 0;
		tcp dport 80 counter accept
	}
}
NFT
run iptables-save -t nat > $out/bypass-nat-iptables-save.txt
run ip6tables-save -t nat > $out/bypass-nat-ip6tables-save.txt
run nft -j list ruleset > $out/bypass-nat-nft.json
run nft list ruleset > $out/bypass-nat-nft.txt
run iptables-legacy -t nat -A PREROUTING -p tcp --dport 8081 -j DNAT --to-destination 10.0.0.4:80
run iptables-legacy-save -t nat > $out/bypass-nat-iptables-legacy-save.txt
ip netns add empty
ip netns exec empty nft -j list ruleset > $out/bypass-nat-nft-empty.json
ip netns exec empty iptables-save -t nat > $out/bypass-nat-iptables-save-empty.txt
modprobe pktgen && ls /proc/net/pktgen > $out/pktgen.txt
ls -la $out
