# Thin wrapper around CMake for the usual tasks. On Debian/Ubuntu, `make demo`
# and `make test` first install whatever is missing (apt-get, with sudo when
# not root) from tools/debian-deps.txt.
#
#   make demo           deps, build, install system-wide, show a capture's lifecycle
#   make test           deps, build, run every test (ctest; CTEST_ARGS="-R golden" picks some)
#   make install        install tcplife.so and the "TCP Lifecycle" profile system-wide
#                       (Wireshark's global profiles folder; sudo when not root)
#   make uninstall      remove it again
#   make install-user   install into ~/.local/lib/wireshark/plugins/X.Y/epan and the
#                       profile into ~/.config/wireshark/profiles (no root; Wireshark
#                       ignores both when it runs as root)
#   make uninstall-user
#   make deb            build the wireshark-plugin-tcplife .deb into build/
#   make clean          remove the build folders
#   make mutation       measure the tests: apply each mutant of tests/mutation/mutants.json
#                       to a scratch copy, rebuild, run the suite (long; not part of
#                       `make test`; MUTATION_ARGS="--only lc01 --stage1-only" picks some)

BUILD      ?= build
BUILD_USER ?= build-user
CMAKE_ARGS ?=
CTEST_ARGS ?=
MUTATION_ARGS ?=
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The capture `make demo` shows; any other: make demo DEMO_PCAP=file.pcapng
DEMO_PCAP  ?= $(firstword $(wildcard captures/demo*.pcap* captures/normal_close.client.pcap captures/*.pcapng captures/*.pcap))
DEMO_FIELDS ?=

.PHONY: all deps configure build test demo install uninstall install-user uninstall-user deb clean mutation

all: build

deps:
	@tools/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_ARGS)

configure: $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j$(JOBS)

test: deps
	$(MAKE) build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

install: build
	$(SUDO) cmake --install $(BUILD)

uninstall: configure
	$(SUDO) cmake --build $(BUILD) --target uninstall

install-user:
	cmake -S . -B $(BUILD_USER) -DTCPLIFE_INSTALL_PERSONAL=ON $(CMAKE_ARGS)
	cmake --build $(BUILD_USER) -j$(JOBS)
	cmake --install $(BUILD_USER)
	@if [ "$$(id -u)" = 0 ]; then echo "note: Wireshark ignores the personal plugin and profile folders when run as root; use 'make install'"; fi

uninstall-user:
	cmake -S . -B $(BUILD_USER) -DTCPLIFE_INSTALL_PERSONAL=ON $(CMAKE_ARGS)
	cmake --build $(BUILD_USER) --target uninstall

deb: build
	packaging/build-deb.sh $(BUILD)

# demo builds only the plugin (not the tests and fuzzers), quietly: the build
# log is shown only when the build fails.
demo: deps
	@test -n "$(DEMO_PCAP)" || { echo "demo: no capture in captures/" >&2; exit 1; }
	@echo "demo: building and installing the plugin and the TCP Lifecycle profile (log: $(BUILD)/demo-build.log)"
	@mkdir -p $(BUILD)
	@{ cmake -S . -B $(BUILD) $(CMAKE_ARGS) && cmake --build $(BUILD) --target tcplife -j$(JOBS) -- --no-print-directory \
	   && $(SUDO) cmake --install $(BUILD); } >$(BUILD)/demo-build.log 2>&1 \
	  || { cat $(BUILD)/demo-build.log >&2; echo "demo: build or install failed" >&2; exit 1; }
	@echo
	@tools/demo.sh "$(DEMO_PCAP)" $(DEMO_FIELDS)

mutation:
	python3 tests/mutation/run_mutants.py --jobs 2 $(MUTATION_ARGS)

clean:
	rm -rf $(BUILD) $(BUILD_USER)
