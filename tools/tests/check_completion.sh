#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bash completion (completion/nettune) against the nettune it completes:
# commands and options read from --help, keywords, their values, device
# names of the namespace given with -n, namespaces. A fake `ip` gives
# fixed namespaces and devices. Prints each case; exits 1 if one fails.
#
#   check_completion.sh NETTUNE_BINARY COMPLETION_FILE
set -u
nettune=$(readlink -f "$1")
completion=$2
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
cat >"$fake/ip" <<'FAKE'
#!/bin/bash
case "$*" in
"netns list") printf 'blue (id: 0)\nred\n' ;;
"-o link show") printf '1: lo: <LOOPBACK>\n2: eth0: <UP>\n' ;;
"-n red -o link show") printf '1: lo: <LOOPBACK>\n7: nt1@if8: <UP>\n' ;;
*) exit 1 ;;
esac
FAKE
chmod +x "$fake/ip"
export PATH="$fake:$PATH"

# With the bash-completion package's helpers when present, as in a login shell.
[ -r /usr/share/bash-completion/bash_completion ] && source /usr/share/bash-completion/bash_completion
source "$completion"

failed=0
# complete LINE: COMPREPLY, sorted, on one line.
complete_line() {
	local line="$nettune ${1#nettune }"
	read -ra COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line COMP_POINT=${#line}
	COMPREPLY=()
	_nettune
	printf '%s\n' "${COMPREPLY[@]}" | sort | xargs
}

# expect LINE WORD...: completing LINE offers exactly these words.
expect() {
	local line=$1 got want
	shift
	got=$(complete_line "$line")
	want=$(printf '%s\n' "$@" | sort | xargs)
	if [ "$got" = "$want" ]; then
		echo "ok: '$line' -> $got"
	else
		echo "FAIL: '$line' -> '$got', expected '$want'"
		failed=1
	fi
}

# expect_has LINE WORD...: these words are among the offers.
expect_has() {
	local line=$1 got w
	shift
	got=" $(complete_line "$line") "
	for w in "$@"; do
		if [[ $got != *" $w "* ]]; then
			echo "FAIL: '$line' -> '$got' lacks '$w'"
			failed=1
			return
		fi
	done
	echo "ok: '$line' offers $*"
}

groups=$("$nettune" --help | awk '/^Subcommands:/ { s = 1; next } /^[^ ]/ { s = 0 } s && /^  [^ ]/ { print $1 }')
[ -n "$groups" ] || { echo "FAIL: no command groups in $nettune --help"; exit 1; }
expect "nettune v" $(grep '^v' <<<"$groups")
expect_has "nettune " $groups
expect "nettune vnic " add del set show rss ntuple
expect "nettune vnic s" set show
expect_has "nettune -" --json --netns --verbose --help
expect_has "nettune vnic show -" --stats --watch
expect "nettune vnic add nt0 mode " napi legacy
expect_has "nettune vnic add nt0 " peer queues rx-ring netns peer-netns mode weight rx-usecs
expect "nettune vnic add nt0 peer nt1 netns " blue red
expect "nettune -n " blue red
expect "nettune vnic set " eth0 lo
expect "nettune -n red vnic set " lo nt1
expect "nettune --netns red vnic show -s " lo nt1
expect "nettune vnic rss --proto " tcp udp other
expect "nettune bypass " add del list flush load status
expect "nettune bypass add proto udp " sport dport src dst iif oif both
expect_has "nettune bypass add proto " tcp udp icmp
expect "nettune -n red bypass add iif " lo nt1
expect_has "nettune cc " list set params sockets
expect_has "nettune cc set " cubic ntcubic
expect_has "nettune cc params " beta= hystart=
exit $failed
