# SPDX-License-Identifier: GPL-2.0
#
# sections: NT section objects for Linux.
#
#   make              module (for KDIR), libsections and the selftests
#   make check        everything, then every selftest in guests on each kernel
#   make run          the demo: a guest with the module, two processes sharing a named section
#   make KDIR=DIR     build the module against another kernel tree or headers

KVER_DEFAULT := $(shell bash -c '. scripts/common.sh; stock_kver 6.12' 2>/dev/null)
KDIR ?= /usr/src/linux-headers-$(KVER_DEFAULT)
SECTIONS_CACHE ?= /var/cache/sections
HARNESS_DIR ?= $(SECTIONS_CACHE)/kselftest-6.12
export HARNESS_DIR

.PHONY: all module lib selftests examples check run clean harness

all: module lib selftests examples

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

lib:
	$(MAKE) -C lib

harness:
	@scripts/get-harness

selftests: lib harness
	$(MAKE) -C selftests

examples: lib
	$(MAKE) -C examples

check:
	scripts/check

run:
	scripts/run-demo

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C lib clean
	$(MAKE) -C selftests clean
	$(MAKE) -C examples clean
	rm -rf out
