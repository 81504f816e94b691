#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A live ntcubic socket pins tcp_ntcubic: rmmod is refused, the socket
# keeps working, and once it is closed the module unloads. Then, with the
# module installed under /lib/modules (the VM's root is a tmpfs overlay),
# selecting ntcubic by sysctl loads it on demand.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/cc_lib.sh"
nt_require_cmds python3
nt_require_modules tcp_ntcubic
nt_plan 8

cc_path_new || nt_skip_all "cannot build the veth path"
tmp=$(mktemp -d)
nt_defer rm -rf "$tmp"
mkfifo "$tmp/go"

# Receiver: counts bytes until EOF.
ip netns exec "$NS_b" python3 -c '
import socket, sys
s = socket.socket(); s.bind(("10.9.1.2", 7002)); s.listen(1); c = s.accept()[0]; n = 0
while True:
    d = c.recv(65536)
    if not d: break
    n += len(d)
open(sys.argv[1], "w").write(str(n))' "$tmp/received" &
rx=$!
nt_defer kill $rx
nt_wait_for 10 bash -c "ip netns exec $NS_b ss -Htln 'sport = :7002' | grep -q ."
# Sender: 1 MB, waits for the go signal, then 4 MB more and closes.
ip netns exec "$NS_a" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b"ntcubic")
s.connect(("10.9.1.2", 7002)); s.sendall(b"a" * (1 << 20))
open(sys.argv[1]).read()
s.sendall(b"b" * (4 << 20)); s.close()' "$tmp/go" &
tx=$!
nt_defer kill $tx
nt_wait_for 10 bash -c "ip netns exec $NS_a ss -Htin 'dport = :7002' | grep -q ntcubic"

refs=$(cat /sys/module/tcp_ntcubic/refcnt)
nt_ge "the live socket holds a module reference" "$refs" 1
nt_check_fails "rmmod is refused while the socket lives" 1 "in use" rmmod tcp_ntcubic
nt_check "the module is still loaded" test -e /sys/module/tcp_ntcubic/initstate
echo go >"$tmp/go"
wait $tx
nt_eq "the socket still sends after the refused rmmod" 0 $?
wait $rx
nt_eq "all 5 MB arrived" $((5 << 20)) "$(cat "$tmp/received" 2>/dev/null)"

# Closed (time-wait sockets hold no ops): now it unloads.
nt_check "rmmod succeeds once the socket is gone" nt_wait_for 10 rmmod tcp_ntcubic

# Autoload: the kernel asks for module "tcp_ntcubic" when the name is set.
kdir=/lib/modules/$(uname -r)/extra
if mkdir -p "$kdir" 2>/dev/null && cp "$(nt_module_path tcp_ntcubic)" "$kdir/" && depmod -a; then
	nt_defer "rm -f $kdir/tcp_ntcubic.ko; depmod -a"
	ip netns exec "$NS_a" sysctl -qw net.ipv4.tcp_congestion_control=ntcubic
	nt_check "sysctl tcp_congestion_control=ntcubic loads the installed module" \
		test -e /sys/module/tcp_ntcubic/initstate
	nt_eq "and the namespace uses it" ntcubic \
		"$(ip netns exec "$NS_a" cat /proc/sys/net/ipv4/tcp_congestion_control)"
else
	nt_skip "sysctl loads the installed module" "cannot write /lib/modules"
	nt_skip "and the namespace uses it" "cannot write /lib/modules"
fi
nt_done
