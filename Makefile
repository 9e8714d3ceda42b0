# trustmap - GNU Makefile (no autotools).
#   make            build libtrustmap.a and ./trustmap
#   make demo       run the main job on the bundled sample (installs deps as root)
#   make test       unit + golden tests, then the same under ASan/UBSan
#   make dev        strict warnings + sanitizers + banned.h
#   make conformance  NPA conformance ratchet (needs ../shared)
#   make bench      benchmarks (docs/benchmarks.md)
#   make fuzz FUZZ_SECONDS=N   libFuzzer harnesses
#   make install / uninstall  (PREFIX, DESTDIR, BINDIR, LIBDIR, INCLUDEDIR, MANDIR, ...)
#   make deb        Debian packages with dpkg-buildpackage (debian/), into build/deb/

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man/man1
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
SHARED ?= ../shared
BUILD ?= build
BIN ?= trustmap

PKGS := yaml-0.1 jansson libcgraph libgvc openssl libpcap
DEB_PKGS := libyaml-dev libjansson-dev libgraphviz-dev libssl-dev libpcap-dev libcmocka-dev pkg-config graphviz

CC ?= cc
# ASan/LSan builds: third-party libraries' process-lifetime caches are not our leaks
export LSAN_OPTIONS ?= suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
OPT ?= -O2 -g
WARN := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -I. $(PKG_CFLAGS) $(EXTRA_CFLAGS) $(CPPFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm $(EXTRA_LDFLAGS) $(LDFLAGS)

# library folders may have one level of subfolders (ingest/manifest/, ingest/capture/)
LIB_DIRS := model ingest analyzer render pipeline
LIB_SRC := $(sort $(wildcard $(LIB_DIRS:%=%/*.c) $(LIB_DIRS:%=%/*/*.c)))
CLI_SRC := $(sort $(wildcard cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps demo test unit golden golden-update asan-test valgrind-test dev conformance \
	bench fuzz install uninstall clean check-deps deb FORCE

all: $(BIN)

$(BUILD)/%.o: %.c $(wildcard */*.h */*.inc */*/*.h */*/*.inc)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libtrustmap.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

libtrustmap.a: $(BUILD)/libtrustmap.a
	cp $< $@

$(BIN): $(CLI_OBJ) $(BUILD)/libtrustmap.a
	$(CC) $(CFLAGS_ALL) -o $@ $(CLI_OBJ) $(BUILD)/libtrustmap.a $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libtrustmap.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $$(pkg-config --cflags cmocka) -o $@ $< $(BUILD)/libtrustmap.a \
		$(LDLIBS_ALL) $$(pkg-config --libs cmocka)

# ---- dependencies: install as root, else print the exact command ----
deps:
	@missing=""; for p in $(PKGS) cmocka; do pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; done; \
	command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"; \
	command -v dot >/dev/null 2>&1 || missing="$$missing graphviz"; \
	if [ -n "$$missing" ]; then \
		echo "trustmap: missing build dependencies:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then \
			echo "+ apt-get install -y $(DEB_PKGS)"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y $(DEB_PKGS) >/dev/null || \
			{ DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null && \
			  DEBIAN_FRONTEND=noninteractive apt-get install -y $(DEB_PKGS) >/dev/null; } || exit 1; \
		else \
			echo "run as root:  apt-get install -y $(DEB_PKGS)"; exit 1; \
		fi; \
	fi

demo: deps
	@$(MAKE) --no-print-directory all
	./trustmap inventory samples/shop
	@echo
	./trustmap conn samples/shop
	@echo
	./trustmap explain web/storefront payments/payment-api samples/shop
	@mkdir -p $(BUILD)
	./trustmap graph -q -o $(BUILD)/shop.svg samples/shop
	@echo "diagram written to $(BUILD)/shop.svg"
	@echo
	@echo "# what the wire showed (samples/traffic): plaintext into payments, an mTLS edge, a connection the policies deny"
	./trustmap flows --ip-map samples/traffic/ip-map.txt --pcap samples/traffic/storefront-payment-api-mtls.pcap \
		--pcap samples/traffic/orders-payment-api-plain.pcap --pcap samples/traffic/cart-postgres-denied.pcap samples/shop
	@echo
	./trustmap check -q --zones samples/zones.yaml --ip-map samples/traffic/ip-map.txt \
		--hubble samples/traffic/hubble.json --zeek samples/traffic/zeek \
		--pcap samples/traffic/storefront-payment-api-mtls.pcap --pcap samples/traffic/orders-payment-api-plain.pcap \
		--pcap samples/traffic/cart-postgres-denied.pcap samples/shop | grep -A3 -E '^(high|medium) (TM13|pci-requires-mtls)' || true
	@echo
	./trustmap conn --observed --ip-map samples/traffic/ip-map.txt --zeek samples/traffic/zeek samples/shop | grep -v '\[allowed\]'

# ---- tests ----
test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit golden
	@echo "== the same suite under AddressSanitizer + UndefinedBehaviorSanitizer =="
	@$(MAKE) --no-print-directory asan-test
	@$(MAKE) --no-print-directory valgrind-test
	@mkdir -p $(BUILD)/results; TRUSTMAP=./trustmap tests/e2e/check.sh > $(BUILD)/results/e2e.log; rc=$$?; cat $(BUILD)/results/e2e.log; \
		tail -n 1 $(BUILD)/results/e2e.log | awk '{print $$1, $$3}' > $(BUILD)/results/e2e.sum; [ $$rc = 0 ]
	@TRUSTMAP=./trustmap python3 tests/engines/run.py > $(BUILD)/results/engines.log; rc=$$?; grep -A8 FAIL $(BUILD)/results/engines.log; \
		tail -n 2 $(BUILD)/results/engines.log; tail -n 1 $(BUILD)/results/engines.log | awk '{print $$1, $$3}' > $(BUILD)/results/engines.sum; [ $$rc = 0 ]
	@TRUSTMAP=./trustmap tests/cli/output.sh > $(BUILD)/results/cli.log; rc=$$?; cat $(BUILD)/results/cli.log; \
		tail -n 1 $(BUILD)/results/cli.log | awk '{print $$1, $$3}' > $(BUILD)/results/cli.sum; [ $$rc = 0 ]
	@tests/layers/check.sh > $(BUILD)/results/layers.log; rc=$$?; grep FAIL $(BUILD)/results/layers.log; tail -n 2 $(BUILD)/results/layers.log; \
		tail -n 1 $(BUILD)/results/layers.log | awk '{print $$1, $$3}' > $(BUILD)/results/layers.sum; [ $$rc = 0 ]
	@TRUSTMAP=./trustmap tests/cli/manpage.sh > $(BUILD)/results/manpage.log; rc=$$?; grep FAIL $(BUILD)/results/manpage.log; \
		echo "manpage: $$(tail -n 1 $(BUILD)/results/manpage.log)"; \
		tail -n 1 $(BUILD)/results/manpage.log | awk '{print $$1, $$3}' > $(BUILD)/results/manpage.sum; [ $$rc = 0 ]
	@TRUSTMAP=./trustmap tests/cli/graph.sh > $(BUILD)/results/graph.log; rc=$$?; tail -n 2 $(BUILD)/results/graph.log; \
		grep FAIL $(BUILD)/results/graph.log; \
		tail -n 1 $(BUILD)/results/graph.log | awk '{print $$1, $$3}' > $(BUILD)/results/graph.sum; [ $$rc = 0 ]
	@TRUSTMAP=./trustmap tests/cli/report.sh > $(BUILD)/results/report.log; rc=$$?; tail -n 2 $(BUILD)/results/report.log; \
		grep FAIL $(BUILD)/results/report.log; \
		tail -n 1 $(BUILD)/results/report.log | awk '{print $$1, $$3}' > $(BUILD)/results/report.sum; [ $$rc = 0 ]
	@TRUSTMAP=./trustmap tests/snapshot/run.sh > $(BUILD)/results/snapshot.log; rc=$$?; grep FAIL $(BUILD)/results/snapshot.log; \
		echo "snapshot: $$(tail -n 1 $(BUILD)/results/snapshot.log)"; \
		tail -n 1 $(BUILD)/results/snapshot.log | awk '{print $$1, $$3}' > $(BUILD)/results/snapshot.sum; [ $$rc = 0 ]
	@TRUSTMAP=./trustmap tests/merge/run.sh > $(BUILD)/results/merge.log; rc=$$?; grep FAIL $(BUILD)/results/merge.log; \
		echo "merge: $$(tail -n 1 $(BUILD)/results/merge.log)"; \
		tail -n 1 $(BUILD)/results/merge.log | awk '{print $$1, $$3}' > $(BUILD)/results/merge.sum; [ $$rc = 0 ]
	@TRUSTMAP=./trustmap tests/cli/completion.sh > $(BUILD)/results/completion.log; rc=$$?; grep -e FAIL -e skipped $(BUILD)/results/completion.log; \
		echo "completion: $$(tail -n 1 $(BUILD)/results/completion.log)"; \
		tail -n 1 $(BUILD)/results/completion.log | awk '{print $$1, $$3}' > $(BUILD)/results/completion.sum; [ $$rc = 0 ]
	@MAKE="$(MAKE)" tests/cli/install.sh > $(BUILD)/results/install.log; rc=$$?; grep FAIL $(BUILD)/results/install.log; \
		echo "install: $$(tail -n 1 $(BUILD)/results/install.log)"; \
		tail -n 1 $(BUILD)/results/install.log | awk '{print $$1, $$3}' > $(BUILD)/results/install.sum; [ $$rc = 0 ]
	@echo "== summary =="
	@cat $(BUILD)/results/*.sum | awk '{p+=$$1; f+=$$2} END {printf "%d passed, %d failed\n", p, f; exit f > 0}'

unit: $(UNIT_BIN)
	@mkdir -p $(BUILD)/results
	@p=0; f=0; for t in $(UNIT_BIN); do \
		if $$t > $(BUILD)/results/$$(basename $$t).log 2>&1; then p=$$((p+1)); echo "PASS unit $$(basename $$t)"; \
		else f=$$((f+1)); echo "FAIL unit $$(basename $$t)"; cat $(BUILD)/results/$$(basename $$t).log; fi; \
	done; echo "$$p $$f" > $(BUILD)/results/unit$(SUFFIX).sum; [ $$f = 0 ]

golden: trustmap
	@mkdir -p $(BUILD)/results
	@TRUSTMAP=./trustmap tests/golden/run.sh > $(BUILD)/results/golden$(SUFFIX).log; rc=$$?; \
		cat $(BUILD)/results/golden$(SUFFIX).log; \
		tail -n 1 $(BUILD)/results/golden$(SUFFIX).log | awk '{print $$1, $$3}' > $(BUILD)/results/golden$(SUFFIX).sum; exit $$rc

golden-update: trustmap
	TRUSTMAP=./trustmap tests/golden/run.sh --update

asan-test:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" all
	@mkdir -p $(BUILD)/results
	@mv trustmap trustmap.asan
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" unit > $(BUILD)/results/asan-unit.log 2>&1; \
		rc1=$$?; tail -n 3 $(BUILD)/results/asan-unit.log; \
		cp build-asan/results/unit.sum $(BUILD)/results/unit-asan.sum; \
		TRUSTMAP=./trustmap.asan tests/golden/run.sh > $(BUILD)/results/golden-asan.log; rc2=$$?; \
		tail -n 1 $(BUILD)/results/golden-asan.log; grep FAIL $(BUILD)/results/golden-asan.log; \
		tail -n 1 $(BUILD)/results/golden-asan.log | awk '{print $$1, $$3}' > $(BUILD)/results/golden-asan.sum; \
		$(MAKE) --no-print-directory all >/dev/null; [ $$rc1 = 0 ] && [ $$rc2 = 0 ]

valgrind-test: trustmap
	@mkdir -p $(BUILD)/results
	@if command -v valgrind >/dev/null 2>&1; then tests/valgrind.sh ./trustmap > $(BUILD)/results/valgrind.log 2>&1; rc=$$?; \
		tail -n 1 $(BUILD)/results/valgrind.log; tail -n 1 $(BUILD)/results/valgrind.log | awk '{print $$1, $$3}' > $(BUILD)/results/valgrind.sum; exit $$rc; \
	else echo "valgrind not installed: memcheck subset skipped"; fi

# the strict build of the library, the command and the unit tests, into
# build-dev/ (./trustmap is left alone)
dev: deps
	$(MAKE) BUILD=build-dev BIN=build-dev/trustmap OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
		EXTRA_CFLAGS="-Werror -Wshadow -Wconversion -Wno-sign-conversion -Wstrict-prototypes -Wformat=2 -include banned.h" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" all $(UNIT_SRC:tests/unit/%.c=build-dev/tests/%)

conformance: all
	@tests/conformance/run.sh $(SHARED)
	@tests/sarif/run.sh $(SHARED)
	@tests/conformance/diff.sh $(SHARED)
	@tests/conformance/inventory.sh $(SHARED)
	@tests/conformance/mesh.sh $(SHARED)
	@tests/pcap/shared.sh $(SHARED)
	@tests/conformance/formats.sh $(SHARED)

bench: all
	@bench/run.sh

fuzz:
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

# the commands, for one man page link each (trustmap-check.1 -> trustmap.1)
COMMANDS = inventory conn graph reach explain check diff flows report snapshot
LIB_HEADERS := $(sort $(wildcard $(LIB_DIRS:%=%/*.h) $(LIB_DIRS:%=%/*/*.h) $(LIB_DIRS:%=%/*/*.inc)))

# made at every install: it holds PREFIX, LIBDIR and INCLUDEDIR
$(BUILD)/trustmap.pc: trustmap.pc.in FORCE
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|'"$$(sed -n 's/^#define TM_VERSION "\(.*\)"/\1/p' model/base.h)"'|' \
		-e 's|@PKGS@|$(PKGS)|' $< > $@

# trustmap, kubectl-trustmap (a link: kubectl trustmap ...), one man page and
# a .so page per command, bash and zsh completion, and the library with its
# headers (under INCLUDEDIR/trustmap/, as they include each other) and
# trustmap.pc
install: all $(BUILD)/libtrustmap.a $(BUILD)/trustmap.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 trustmap $(DESTDIR)$(BINDIR)/trustmap
	ln -sf trustmap $(DESTDIR)$(BINDIR)/kubectl-trustmap
	install -m 644 docs/trustmap.1 $(DESTDIR)$(MANDIR)/trustmap.1
	for c in $(COMMANDS) kubectl; do \
		echo ".so man1/trustmap.1" > $(DESTDIR)$(MANDIR)/$$( [ $$c = kubectl ] && echo kubectl-trustmap || echo trustmap-$$c).1; \
	done
	install -m 644 completion/trustmap.bash $(DESTDIR)$(BASHCOMPDIR)/trustmap
	ln -sf trustmap $(DESTDIR)$(BASHCOMPDIR)/kubectl-trustmap
	install -m 644 completion/_trustmap $(DESTDIR)$(ZSHCOMPDIR)/_trustmap
	install -m 644 $(BUILD)/libtrustmap.a $(DESTDIR)$(LIBDIR)/libtrustmap.a
	install -m 644 $(BUILD)/trustmap.pc $(DESTDIR)$(PKGCONFIGDIR)/trustmap.pc
	for h in $(LIB_HEADERS); do \
		install -d $(DESTDIR)$(INCLUDEDIR)/trustmap/$$(dirname $$h) && \
		install -m 644 $$h $(DESTDIR)$(INCLUDEDIR)/trustmap/$$h || exit 1; \
	done

FORCE:

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/trustmap $(DESTDIR)$(BINDIR)/kubectl-trustmap $(DESTDIR)$(MANDIR)/trustmap.1 \
		$(COMMANDS:%=$(DESTDIR)$(MANDIR)/trustmap-%.1) $(DESTDIR)$(MANDIR)/kubectl-trustmap.1 \
		$(DESTDIR)$(BASHCOMPDIR)/trustmap $(DESTDIR)$(BASHCOMPDIR)/kubectl-trustmap $(DESTDIR)$(ZSHCOMPDIR)/_trustmap \
		$(DESTDIR)$(LIBDIR)/libtrustmap.a $(DESTDIR)$(PKGCONFIGDIR)/trustmap.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/trustmap

# Debian packages (debian/): trustmap and libtrustmap-dev, moved from ../
# into $(BUILD)/deb/; needs dpkg-buildpackage and debhelper
deb:
	@command -v dpkg-buildpackage >/dev/null 2>&1 || { echo "make deb: dpkg-buildpackage is not installed (apt-get install dpkg-dev debhelper)"; exit 2; }
	dpkg-buildpackage -us -uc -b $(DEB_FLAGS)
	@mkdir -p $(BUILD)/deb
	@v=$$(dpkg-parsechangelog -S Version); for f in ../trustmap_$${v}_*.deb ../libtrustmap-dev_$${v}_*.deb ../trustmap-dbgsym_$${v}_*.deb \
		../trustmap_$${v}_*.buildinfo ../trustmap_$${v}_*.changes; do [ -e "$$f" ] && mv "$$f" $(BUILD)/deb/; done; \
		ls $(BUILD)/deb/

clean:
	rm -rf build build-asan build-dev build-fuzz trustmap trustmap.asan libtrustmap.a
