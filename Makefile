# SPDX-License-Identifier: GPL-2.0
#
# tinyalloc: out-of-tree build and the project's commands.
#
#   make                 build the modules against KDIR
#   make check           every test (builds and boots its own kernels)
#   make check-quick     the UML 6.12 KUnit stage only
#   make demo            boot UML, run a client workload, print the stats
#   make bench           benchmarks against the kernel's allocators, with
#                        a table and a chart in build/bench
#   make profile         instructions per operation by function, x86_64
#   make htmldocs        Documentation/ as HTML in build/htmldocs (Sphinx)
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(CURDIR)

.PHONY: all modules check check-quick demo bench profile htmldocs clean

all: modules

modules:
	@if [ ! -d "$(KDIR)" ]; then \
		echo "tinyalloc: no kernel build dir at KDIR=$(KDIR); set KDIR=<kernel build dir>, or use 'make check', 'make check-quick' or 'make demo', which build their own kernel"; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(PWD) modules

check:
	bash scripts/check.sh

check-quick:
	bash scripts/check.sh quick

demo:
	bash scripts/demo.sh

bench:
	bash scripts/bench.sh

profile:
	bash scripts/profile.sh

htmldocs:
	bash scripts/htmldocs.sh

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(PWD) clean; fi
	rm -rf build
