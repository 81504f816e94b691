# nettune top-level build. See README.md and ../shared/DESIGN.md.
#
#   make            modules + bpf + tools
#   make check      deps, build, unit tests, VM selftests, lint -> "N passed, N failed"
#   make demo       deps, build, boot the VM and run the showcase
#   make vm         interactive shell in the VM with the modules loaded

SHELL := /bin/bash
TOP   := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# The kernel we build for: the newest /boot/vmlinuz-<ver> that has headers
# (the build machine's own running kernel has none). KDIR= overrides it.
KVER  ?= $(shell $(TOP)/scripts/kernel-version)
KDIR  ?= /lib/modules/$(KVER)/build
BUILD ?= $(TOP)/build
CMAKE_BUILD_TYPE ?= RelWithDebInfo
PREFIX ?= /usr/local

export KVER KDIR

.PHONY: all modules bpf tools kselftest-progs check demo vm lint install deps clean unit selftests exp

all: modules bpf tools kselftest-progs

deps:
	$(TOP)/scripts/install-deps

modules:
	$(MAKE) -C $(KDIR) M=$(TOP)/kmod modules

bpf:
	$(MAKE) -C $(TOP)/bpf KDIR=$(KDIR)

tools: bpf
	cmake -S $(TOP)/tools -B $(BUILD)/tools -G Ninja \
		-DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE) -DNETTUNE_BPF_DIR=$(TOP)/bpf/build
	cmake --build $(BUILD)/tools

# Programs of the kernel's own selftests that ours run against our modules
# (net/toeplitz.c checks ntvnic's RSS hash), built from Debian's
# linux-source-6.1 tarball rather than copied into this tree.
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

check:
	$(TOP)/scripts/check

demo: deps all
	$(TOP)/scripts/vm-run --modules all --timeout 900 -- $(TOP)/scripts/demo

# The experiments (nettune exp), quick, in one VM boot; results in build/exp
# on the host, then `build/tools/nettune exp report` writes
# Documentation/experiments.md from them.
exp: all
	mkdir -p $(BUILD)/exp-vm
	$(TOP)/scripts/vm-run --modules all --timeout 1800 --out $(BUILD)/exp-vm -- \
		env TERM=dumb $(BUILD)/tools/nettune exp run all --quick; \
		rc=$$?; mkdir -p $(BUILD)/exp; cp -r $(BUILD)/exp-vm/exp/. $(BUILD)/exp/; exit $$rc

vm: all
	$(TOP)/scripts/vm-run --interactive --modules all

lint:
	$(TOP)/scripts/lint

install: all
	$(MAKE) -C $(KDIR) M=$(TOP)/kmod INSTALL_MOD_DIR=extra modules_install
	depmod -a $(KVER)
	install -D -m 0755 $(BUILD)/tools/nettune $(DESTDIR)$(PREFIX)/bin/nettune
	$(TOP)/scripts/install-dkms $(DESTDIR)

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP)/kmod clean
	-$(MAKE) -C $(TOP)/bpf clean
	rm -rf $(BUILD)
