#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loading the project's modules from the build tree; sourced by the guest
# init (scripts/vm-guest-init) and by selftests/lib.sh.

NT_TOP=${NT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# The modules built for the running kernel (make modules: build/kmod/<ver>).
NT_KMOD_BUILD=${NT_KMOD_BUILD:-$NT_TOP/build/kmod/$(uname -r)}

# Path of a project module's .ko in the build tree.
nt_module_path() {
	local ko
	ko=$(find "$NT_KMOD_BUILD" -name "$1.ko" 2>/dev/null | head -n 1)
	[ -n "$ko" ] && echo "$ko"
}

# Names of every project module that was built.
nt_built_modules() {
	find "$NT_KMOD_BUILD" -name '*.ko' -printf '%f\n' 2>/dev/null | sed 's/\.ko$//' | sort
}

# Loads a project module from the build tree, and its kernel dependencies
# with modprobe, unless it is loaded already.
nt_load_module() {
	local name=$1 ko dep
	[ -e "/sys/module/$name/initstate" ] && return 0
	ko=$(nt_module_path "$name") || { echo "no $name.ko under $NT_KMOD_BUILD: run make (KVER=$(uname -r))" >&2; return 1; }
	for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
		[ -e "/sys/module/$dep" ] && continue
		modprobe "$dep" 2>/dev/null || nt_load_module "$dep" || return 1
	done
	insmod "$ko"
}
