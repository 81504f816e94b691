#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loading the project's modules from the build tree; sourced by the guest
# init (scripts/vm-guest-init) and by selftests/lib.sh.

NT_TOP=${NT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

# Path of a project module's .ko in the build tree.
nt_module_path() {
	local ko
	ko=$(find "$NT_TOP/kmod" -name "$1.ko" 2>/dev/null | head -n 1)
	[ -n "$ko" ] && echo "$ko"
}

# Names of every project module that was built.
nt_built_modules() {
	find "$NT_TOP/kmod" -name '*.ko' -printf '%f\n' 2>/dev/null | sed 's/\.ko$//' | sort
}

# Loads a project module from the build tree, and its kernel dependencies
# with modprobe, unless it is loaded already.
nt_load_module() {
	local name=$1 ko dep
	[ -e "/sys/module/$name/initstate" ] && return 0
	ko=$(nt_module_path "$name") || { echo "no $name.ko under $NT_TOP/kmod: run make" >&2; return 1; }
	for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
		[ -e "/sys/module/$dep" ] && continue
		modprobe "$dep" 2>/dev/null || nt_load_module "$dep" || return 1
	done
	insmod "$ko"
}
