#!/bin/bash
# diagnose: break something, let nettune find it. A listener with backlog 1
# that never accepts, and 10 clients: the accept queue overflows.
# `nettune diagnose` samples every counter on the path twice and names the
# listen queue first, with the counters that moved and the fix.
set -u
# shellcheck disable=SC1091
source "$NT_TOP/selftests/lib.sh"
nt_netns_new a b || exit 1
ip link add va netns "$NS_a" type veth peer name vb netns "$NS_b" || exit 1
ip -n "$NS_a" addr add 10.0.0.1/24 dev va
ip -n "$NS_b" addr add 10.0.0.2/24 dev vb
ip -n "$NS_a" link set va up && ip -n "$NS_b" link set vb up
ip netns exec "$NS_b" python3 -c '
import socket, time
s = socket.socket(); s.bind(("10.0.0.2", 8080)); s.listen(1); time.sleep(20)' &
nt_defer kill $!
nt_wait_for 5 ip netns exec "$NS_b" bash -c "ss -ltn | grep -q ':8080'"
echo "a server on 10.0.0.2:8080 listens with backlog 1 and never calls accept();"
echo "10 clients connect while diagnose samples:"
echo "\$ nettune -n <server> diagnose --port 8080"
err=$(mktemp)
nt_defer rm -f "$err"
"$NETTUNE" -v -n "$NS_b" diagnose --port 8080 --interval 30 2>"$err" &
diag=$!
nt_wait_for 20 grep -q "first sample" "$err"
ip netns exec "$NS_a" python3 -c '
import socket, time
socks = []
for _ in range(10):
    s = socket.socket(); s.setblocking(False)
    s.connect_ex(("10.0.0.2", 8080)); socks.append(s)
time.sleep(1)'
kill -INT $diag
wait $diag
