# SPDX-License-Identifier: GPL-2.0
#
# sections: NT section objects for Linux.
#
#   make              module (for KDIR), libsections and the selftests
#   make check        everything, then every selftest in guests on each kernel
#   make check-install  host-side checks of install, modules_install and DKMS
#   make run          the demo: a guest with the module, two processes sharing a named section
#   make bench-run    benchmarks: sections against the Linux primitives, as ratios (6.12 guest)
#   make stress       multi-process stress with SIGKILLs, files checked against a model (debug
#                     guest, STRESS_SECONDS=300; STRESS_KERNEL=6.12, STRESS_SEED=N, and
#                     STRESS_ARGS for sections_stress, e.g. -E)
#   make fuzz         the structured fuzzer, 1000000 operations in a debug guest with coverage
#                     (about 25 min; scripts/run-fuzz --kernel K --seconds S for others)
#   make KDIR=DIR     build the module against another kernel tree or headers
#
# Installing (see README, "Install"); DESTDIR is honoured by every target:
#
#   make install          libsections (.so, .a), headers, libsections.pc, man pages
#                         and the `sections` tool under $(prefix) (PREFIX or prefix,
#                         default /usr/local)
#   make modules_install  the module for KDIR into
#                         $(INSTALL_MOD_PATH)/lib/modules/KVER/updates, depmod, and
#                         the udev rule and modules-load.d entry (autoload_install)
#   make autoload_install only the udev rule and the modules-load.d entry (for a
#                         module installed by DKMS)
#   make dkms_src         the module sources and dkms.conf into
#                         $(DESTDIR)/usr/src/sections-$(VERSION)
#   make uninstall        undoes install, and modules_install for KDIR
#                         (uninstall-userspace and modules_uninstall, each one half)

KVER_DEFAULT := $(shell bash -c '. scripts/common.sh; stock_kver 6.12' 2>/dev/null)
KDIR ?= /usr/src/linux-headers-$(KVER_DEFAULT)
SECTIONS_CACHE ?= /var/cache/sections
HARNESS_DIR ?= $(SECTIONS_CACHE)/kselftest-6.12
export HARNESS_DIR

# One version for the library, the module package (dkms.conf) and the man pages.
VERSION := $(shell sed -n 's/^VERSION *:= *//p' lib/Makefile)

PREFIX ?= /usr/local
prefix ?= $(PREFIX)
exec_prefix ?= $(prefix)
bindir ?= $(exec_prefix)/bin
libdir ?= $(exec_prefix)/lib
includedir ?= $(prefix)/include
datarootdir ?= $(prefix)/share
mandir ?= $(datarootdir)/man

# udev and systemd-modules-load read only these, whatever the prefix.
udevrulesdir ?= /usr/lib/udev/rules.d
modulesloaddir ?= /usr/lib/modules-load.d
dkmssrcdir ?= /usr/src/sections-$(VERSION)

# The module: kbuild's INSTALL_MOD_PATH is the modules_install DESTDIR.
INSTALL_MOD_PATH ?= $(DESTDIR)
INSTALL_MOD_DIR ?= updates
# The release the module is built for (what vermagic says and modules_install uses):
# Debian's headers have the upstream release in include/config/kernel.release.
KVER = $(or $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null),\
	$(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null))
# A distribution's headers come without its signing key: do not try to sign then.
MODSIGN = $(if $(wildcard $(KDIR)/certs/signing_key.pem $(KDIR)/output/signing_key.pem),,\
	CONFIG_MODULE_SIG_ALL=)
DEPMOD ?= depmod
# Where kbuild puts it (Kbuild's obj-m += kmod/ keeps the subdirectory).
MODDEST = $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)

INSTALL ?= install
MAN1 := $(wildcard man/man1/*.1)
MAN3 := $(wildcard man/man3/*.3)
MAN7 := $(wildcard man/man7/*.7)

.PHONY: all module lib cli selftests examples bench bench-run check check-install run clean \
	harness \
	install install-lib install-man install-cli modules_install autoload_install \
	dkms_src uninstall uninstall-userspace modules_uninstall

all: module lib cli selftests examples bench

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

lib:
	$(MAKE) -C lib

# The `sections` tool.
cli: lib
	$(MAKE) -C cli

harness:
	@scripts/get-harness

selftests: lib harness
	$(MAKE) -C selftests

examples: lib
	$(MAKE) -C examples

bench: lib
	$(MAKE) -C bench

# Ratios against the native primitives, in a 6.12 guest (scripts/run-bench --kernel K for others).
bench-run:
	scripts/run-bench

# Open by name at a million names (the hardening goal), against open() among a million
# tmpfs files: a long campaign (a 12 GiB guest, about 2 minutes under TCG), not in make check.
BENCH_NAMES ?= 1000000
.PHONY: bench-names
bench-names:
	scripts/run-bench --mem 12288 --timeout 5400 -- 4 3 $(BENCH_NAMES)

# Workers SIGKILLed at random while they share sections; files checked (scripts/run-stress).
STRESS_KERNEL ?= debug
STRESS_SECONDS ?= 300
.PHONY: stress
stress:
	scripts/run-stress --kernel $(STRESS_KERNEL) --seconds $(STRESS_SECONDS) \
		$(if $(STRESS_SEED),--seed $(STRESS_SEED)) $(if $(STRESS_ARGS),-- $(STRESS_ARGS))

# Random ioctls, views, forks and kills in threads and processes, checked against the uapi
# (scripts/run-fuzz; FUZZ_SEED=N replays a seed).
.PHONY: fuzz
fuzz:
	scripts/run-fuzz --kernel debug --ops 1000000 $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

check:
	scripts/check

check-install:
	scripts/check-install

run:
	scripts/run-demo

install: install-lib install-man install-cli

install-lib: lib
	$(MAKE) -C lib install DESTDIR=$(DESTDIR) prefix=$(prefix) libdir=$(libdir) \
		includedir=$(includedir)

install-man:
	$(INSTALL) -d $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man3 $(DESTDIR)$(mandir)/man7
	$(if $(MAN1),$(INSTALL) -m 644 $(MAN1) $(DESTDIR)$(mandir)/man1/)
	$(if $(MAN3),$(INSTALL) -m 644 $(MAN3) $(DESTDIR)$(mandir)/man3/)
	$(if $(MAN7),$(INSTALL) -m 644 $(MAN7) $(DESTDIR)$(mandir)/man7/)

install-cli: cli
	$(INSTALL) -d $(DESTDIR)$(bindir)
	$(INSTALL) -m 755 cli/sections $(DESTDIR)$(bindir)/sections

modules_install: module autoload_install
	@test -n "$(KVER)" || { echo "no kernel release in $(KDIR)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) $(MODSIGN) modules_install
	$(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

autoload_install:
	$(INSTALL) -d $(INSTALL_MOD_PATH)$(udevrulesdir) $(INSTALL_MOD_PATH)$(modulesloaddir)
	$(INSTALL) -m 644 packaging/60-sections.rules $(INSTALL_MOD_PATH)$(udevrulesdir)/
	$(INSTALL) -m 644 packaging/sections.conf $(INSTALL_MOD_PATH)$(modulesloaddir)/

dkms_src:
	$(INSTALL) -d $(DESTDIR)$(dkmssrcdir)/kmod $(DESTDIR)$(dkmssrcdir)/uapi/linux
	$(INSTALL) -m 644 dkms.conf Kbuild $(DESTDIR)$(dkmssrcdir)/
	$(INSTALL) -m 644 kmod/Kbuild $(filter-out %.mod.c,$(wildcard kmod/*.c)) \
		$(wildcard kmod/*.h) $(DESTDIR)$(dkmssrcdir)/kmod/
	$(INSTALL) -m 644 uapi/linux/sections.h $(DESTDIR)$(dkmssrcdir)/uapi/linux/

uninstall: uninstall-userspace modules_uninstall

# What install put under DESTDIR and prefix.
uninstall-userspace:
	rm -f $(DESTDIR)$(libdir)/libsections.so $(DESTDIR)$(libdir)/libsections.so.1 \
		$(DESTDIR)$(libdir)/libsections.so.$(VERSION) $(DESTDIR)$(libdir)/libsections.a \
		$(DESTDIR)$(libdir)/pkgconfig/libsections.pc \
		$(DESTDIR)$(includedir)/sections.h $(DESTDIR)$(includedir)/sections/windows.h \
		$(DESTDIR)$(includedir)/linux/sections.h $(DESTDIR)$(bindir)/sections
	-rmdir $(DESTDIR)$(includedir)/sections 2>/dev/null
	rm -f $(addprefix $(DESTDIR)$(mandir)/man1/,$(notdir $(MAN1))) \
		$(addprefix $(DESTDIR)$(mandir)/man3/,$(notdir $(MAN3))) \
		$(addprefix $(DESTDIR)$(mandir)/man7/,$(notdir $(MAN7)))

# What modules_install put under INSTALL_MOD_PATH, for KDIR's release.
modules_uninstall:
	rm -f $(INSTALL_MOD_PATH)$(udevrulesdir)/60-sections.rules \
		$(INSTALL_MOD_PATH)$(modulesloaddir)/sections.conf
	@mods=$$(ls $(MODDEST)/sections.ko* $(MODDEST)/kmod/sections.ko* 2>/dev/null); \
	if [ -n "$(KVER)" ] && [ -n "$$mods" ]; then \
		echo rm -f $$mods; rm -f $$mods; \
		echo $(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER); \
		$(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER); \
	fi

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C lib clean
	$(MAKE) -C selftests clean
	$(MAKE) -C examples clean
	$(MAKE) -C bench clean
	$(MAKE) -C cli clean
	rm -rf out
