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
nt_plan 9

cc_path_new || nt_skip_all "cannot build the veth path"
base=$(cat /sys/module/tcp_ntcubic/refcnt)
[ "$base" -eq 0 ] || nt_log "tcp_ntcubic already has $base references (sockets of earlier tests)"
tmp=$(mktemp -d)
nt_defer rm -rf "$tmp"
mkfifo "$tmp/go"

# Receiver: counts bytes until EOF.
ip netns exec "$NS_b" python3 -S -E -c '
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
# Sender: 1 MB, waits for the go signal, then 1 MB more and closes.
ip netns exec "$NS_a" python3 -S -E -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b"ntcubic")
s.connect(("10.9.1.2", 7002)); s.sendall(b"a" * (1 << 20))
open(sys.argv[1]).read()
s.sendall(b"b" * (1 << 20)); s.close()' "$tmp/go" &
tx=$!
nt_defer kill $tx
nt_wait_for 10 bash -c "ip netns exec $NS_a ss -Htin 'dport = :7002' | grep -q ntcubic"

nt_eq "the live socket holds one module reference" $((base + 1)) "$(cat /sys/module/tcp_ntcubic/refcnt)"
nt_check_fails "rmmod is refused while the socket lives" 1 "in use" rmmod tcp_ntcubic
nt_check "the module is still loaded" test -e /sys/module/tcp_ntcubic/initstate
echo go >"$tmp/go"
wait $tx
nt_eq "the socket still sends after the refused rmmod" 0 $?
wait $rx
nt_eq "all 2 MB arrived" $((2 << 20)) "$(cat "$tmp/received" 2>/dev/null)"

# Closed (time-wait sockets hold no ops): its reference is gone, and
# with no other user the module unloads.
nt_check "closing the socket drops its reference" \
	nt_wait_for 20 bash -c "[ \$(cat /sys/module/tcp_ntcubic/refcnt) -le $base ]"
nt_check "rmmod succeeds once no socket uses ntcubic" nt_wait_for 30 rmmod tcp_ntcubic

# Autoload: the kernel asks modprobe for "tcp_ntcubic" when the name is
# set. "Installed" here is a module tree holding only tcp_ntcubic,
# bind-mounted over /lib/modules/<release> for the test (a depmod of the
# whole tree takes minutes under emulation).
kver=$(uname -r)
mini=$tmp/root
mkdir -p "$mini/lib/modules/$kver/extra"
if [ -e /sys/module/tcp_ntcubic ]; then
	nt_skip "sysctl loads the installed module" "tcp_ntcubic could not be unloaded first"
	nt_skip "and the namespace uses it" "tcp_ntcubic could not be unloaded first"
elif cp "$(nt_module_path tcp_ntcubic)" "$mini/lib/modules/$kver/extra/" &&
	depmod -b "$mini" "$kver" 2>/dev/null && mount --bind "$mini/lib/modules/$kver" "/lib/modules/$kver"; then
	nt_defer umount "/lib/modules/$kver"
	# (the initial namespace: elsewhere only allowed algorithms may be
	# the default, and the module is not allowed before it is loaded)
	old_default=$(cat /proc/sys/net/ipv4/tcp_congestion_control)
	nt_defer "sysctl -qw net.ipv4.tcp_congestion_control=$old_default"
	sysctl -qw net.ipv4.tcp_congestion_control=ntcubic
	nt_check "sysctl tcp_congestion_control=ntcubic loads the installed module" \
		test -e /sys/module/tcp_ntcubic/initstate
	nt_eq "and the namespace uses it" ntcubic "$(cat /proc/sys/net/ipv4/tcp_congestion_control)"
else
	nt_skip "sysctl loads the installed module" "cannot install it"
	nt_skip "and the namespace uses it" "cannot install it"
fi
nt_done
