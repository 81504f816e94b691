# nettune top-level build. See README.md.
#
#   make            modules + bpf + tools
#   make check      deps, build, unit tests, VM selftests, lint -> "N passed, N failed"
#   make demo       deps, build, boot the VM and run the showcase
#   make vm         interactive shell in the VM with the modules loaded
#   make deb        build/deb/nettune_<ver>_amd64.deb and nettune-dkms_<ver>_all.deb
#   make check-full make check plus the full-tier selftests (stress, xdp-tools, slow)
#   make check-deb  make deb, then install/load/purge them in the VM (selftests/pkg)
#   make check KVER=6.12|rt   make check on another kernel (make kernels installs them)
#   make check-kernels  make check on 6.1, 6.12 and 6.1 PREEMPT_RT
#   make fuzz       the netlink fuzzer, 10000 messages per family (NT_FUZZ_COUNT, NT_FUZZ_SEED)
#   make soak       load/unload cycles and 10 min of traffic with reconfiguration
#   make debug-kernel  build 6.1 with KASAN, lockdep, kmemleak (scripts/debug-kernel)
#   make check-debug   make check-full and the fuzzer on the debug kernel

SHELL := /bin/bash
TOP   := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# The kernel we build for and the VM boots: by default Debian 12's 6.1
# (scripts/kernel-version; the build machine's own running kernel has no
# headers). KVER=6.12, KVER=rt or a full version picks another one that
# scripts/install-kernels put in place; KDIR= overrides the headers.
override KVER := $(shell $(TOP)/scripts/kernel-version $(KVER))
KDIR  ?= $(patsubst KDIR=%,%,$(filter KDIR=%,$(shell $(TOP)/scripts/kernel-version --paths $(KVER))))
BUILD ?= $(TOP)/build
# The modules are built per kernel in a tree of links to kmod/
# (scripts/kmod-tree), so that builds for two kernels never share objects.
KMOD_BUILD := $(BUILD)/kmod/$(KVER)
CMAKE_BUILD_TYPE ?= RelWithDebInfo
PREFIX ?= /usr/local

export KVER KDIR KMOD_BUILD

.PHONY: all modules bpf tools man kselftest-progs check demo vm lint install deps clean unit selftests \
	deb check-deb exp check-full check-kernels kernels fuzz fuzz-vm soak debug-kernel check-debug

all: modules bpf tools man

deps:
	$(TOP)/scripts/install-deps

modules:
	@[ -n "$(KVER)" ] || { echo "no kernel to build for (KVER): make deps, scripts/install-kernels"; exit 1; }
	$(TOP)/scripts/kmod-tree $(KVER) $(BUILD) >/dev/null
	$(MAKE) -C $(KDIR) M=$(KMOD_BUILD) modules

# The BPF programs are CO-RE (one vmlinux.h, relocated by libbpf at load
# time): the same objects load on every target kernel.
bpf:
	$(MAKE) -C $(TOP)/bpf KVER=$(KVER) KDIR=$(KDIR)

tools: bpf
	cmake -S $(TOP)/tools -B $(BUILD)/tools -G Ninja \
		-DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE) -DNETTUNE_BPF_DIR=$(TOP)/bpf/build \
		$(TOOLS_CMAKE_FLAGS)
	cmake --build $(BUILD)/tools $(if $(TOOLS_TARGET),--target $(TOOLS_TARGET))

# Man pages: every man/*.8.rst (one per command group, nettune.8 for the
# tool) -> build/man/*.8 with rst2man (python3-docutils).
MAN_SOURCES := $(wildcard $(TOP)/man/*.8.rst)
MAN_PAGES   := $(patsubst $(TOP)/man/%.rst,$(BUILD)/man/%,$(MAN_SOURCES))

man: $(MAN_PAGES)

$(BUILD)/man/%.8: $(TOP)/man/%.8.rst
	@mkdir -p $(@D)
	rst2man --halt=warning --no-generator --no-datestamp $< $@.tmp && mv $@.tmp $@

# Programs of the kernel's own selftests that ours run against our modules
# (net/toeplitz.c checks ntvnic's RSS hash), built from Debian's
# linux-source-6.1 tarball rather than copied into this tree. Not in all:
# only the full tier uses it (make check-full builds it), and unpacking the
# tarball costs about 10 s of CPU.
KSRC_TARBALL ?= /usr/src/linux-source-6.1.tar.xz
KSELFTEST := $(BUILD)/kselftest

kselftest-progs: $(KSELFTEST)/toeplitz

$(KSELFTEST)/net/toeplitz.c: $(KSRC_TARBALL)
	mkdir -p $(KSELFTEST)
	tar -C $(KSELFTEST) --strip-components=4 -xJf $< \
		linux-source-6.1/tools/testing/selftests/net/toeplitz.c
	touch $@

# toeplitz.c includes "../kselftest.h" for ARRAY_SIZE only.
$(KSELFTEST)/toeplitz: $(KSELFTEST)/net/toeplitz.c
	echo '#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))' >$(KSELFTEST)/kselftest.h
	$(CC) -O2 -Wall -o $@ $<

unit: tools
	ctest --test-dir $(BUILD)/tools --output-on-failure

selftests: all
	$(TOP)/scripts/vm-run --modules all -- $(TOP)/selftests/run

# Debian packages, built by dpkg-buildpackage in a copy of the tree
# (scripts/make-deb): build/deb/*.deb, checked by lintian.
deb:
	$(TOP)/scripts/make-deb

# Installs the packages in the VM, loads the modules DKMS built there,
# purges them (selftests/pkg; minutes of VM time, hence not in make check).
check-deb: deb
	$(TOP)/scripts/vm-run --modules none --timeout 3600 -- \
		env NT_TEST_TIMEOUT=3300 $(TOP)/selftests/run pkg

check:
	$(TOP)/scripts/check

# The other kernels (6.12 from bookworm-backports, 6.1 PREEMPT_RT), unpacked
# under /opt/nettune-kernels without touching /boot (scripts/install-kernels).
kernels:
	$(TOP)/scripts/install-kernels

# make check on each of the three kernels in turn, then a summary line per
# kernel (Documentation/reliability.rst).
check-kernels:
	$(TOP)/scripts/check-kernels

# make check with the selftests marked '# nt-tier: full' too (selftests/run).
check-full:
	NT_TIER=full $(TOP)/scripts/check

# Debian's linux-source-6.1 with KASAN, lockdep, DEBUG_ATOMIC_SLEEP, kmemleak
# and DEBUG_OBJECTS, installed as <ver>-ntdebug beside the other test
# kernels (KVER=debug). Not part of make check: its build takes about 25
# minutes on 2 cores and the suite runs about seven times slower on it.
debug-kernel:
	$(TOP)/scripts/debug-kernel

# make check-full, then the fuzzer, on the debug kernel: any KASAN, lockdep,
# debug-objects or kmemleak report fails the run (scripts/check-debug).
check-debug:
	$(TOP)/scripts/check-debug

demo: deps all
	$(TOP)/scripts/vm-run --modules all --timeout 900 -- $(TOP)/scripts/demo

# The netlink fuzzer (selftests/fuzz): NT_FUZZ_COUNT messages per family
# (make check runs its selftest with fewer), NT_FUZZ_SEED; the counts land
# in build/fuzz/nlfuzz/*.json (Documentation/reliability.rst).
NT_FUZZ_COUNT ?= 10000
NT_FUZZ_SEED ?= 1
fuzz: all
	$(MAKE) --no-print-directory fuzz-vm

# The fuzzer on what is already built (scripts/check-debug, after make check).
fuzz-vm:
	$(TOP)/scripts/vm-run --modules all --timeout 7200 --out $(BUILD)/fuzz -- \
		env NT_FUZZ_COUNT=$(NT_FUZZ_COUNT) NT_FUZZ_SEED=$(NT_FUZZ_SEED) NT_TEST_TIMEOUT=7000 \
		$(TOP)/selftests/run fuzz

# Load/unload cycles under traffic and a run of traffic with reconfiguration
# (scripts/soak; NT_SOAK_CYCLES, NT_SOAK_MINUTES).
soak: all
	$(TOP)/scripts/soak

# The experiments (nettune exp), quick, in one VM boot; results in build/exp
# on the host, then `build/tools/nettune exp report` writes
# Documentation/experiments.md from them. 26 experiments took 27 min on a
# loaded 2-core host (at most 2 min each); the timeout leaves room for 3x that.
exp: all
	mkdir -p $(BUILD)/exp-vm
	$(TOP)/scripts/vm-run --modules all --timeout 5400 --out $(BUILD)/exp-vm -- \
		env TERM=dumb $(BUILD)/tools/nettune exp run all --quick; \
		rc=$$?; mkdir -p $(BUILD)/exp; cp -r $(BUILD)/exp-vm/exp/. $(BUILD)/exp/; exit $$rc

vm: all
	$(TOP)/scripts/vm-run --interactive --modules all

lint:
	$(TOP)/scripts/lint

install: all
	$(MAKE) -C $(KDIR) M=$(KMOD_BUILD) INSTALL_MOD_DIR=extra modules_install
	depmod -a $(KVER)
	install -D -m 0755 $(BUILD)/tools/nettune $(DESTDIR)$(PREFIX)/bin/nettune
	install -d $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -D -m 0644 $(TOP)/completion/nettune \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/nettune
	$(TOP)/scripts/install-dkms $(DESTDIR)

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP)/kmod clean   # objects of builds before build/kmod/
	-$(MAKE) -C $(TOP)/bpf clean
	rm -rf $(BUILD)
