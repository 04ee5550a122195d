# lua-seccomp: build, test, lint, demo, docs, bench, install.
# Variables follow LuaRocks' names so `luarocks make` and distributions can
# override them: LUA, LUA_INCDIR, LIBSECCOMP_INCDIR, LIBSECCOMP_LIBDIR,
# INST_LIBDIR, INST_LUADIR, INST_BINDIR, INST_MANDIR, INST_DOCDIR, PREFIX,
# DESTDIR, BUILD, WERROR; PKG_CONFIG finds libseccomp when its directories
# are not given.

# LUA_VERSION: 5.1, 5.2, 5.3, 5.4 or jit (LuaJIT 2.1, which loads 5.1
# modules); each but 5.4 builds in a folder of its own.
LUA_VERSION ?= 5.4
ifeq ($(LUA_VERSION),jit)
LUA ?= luajit
LUA_INCDIR ?= /usr/include/luajit-2.1
LUA_ABI = 5.1
else
LUA ?= lua$(LUA_VERSION)
LUA_INCDIR ?= /usr/include/lua$(LUA_VERSION)
LUA_ABI = $(LUA_VERSION)
endif
# The versions `make test` also runs the whole suite under, when installed
# (test-versions).
OTHER_LUA_VERSIONS = 5.1 5.2 5.3 jit
PREFIX ?= /usr/local
INST_LIBDIR ?= $(PREFIX)/lib/lua/$(LUA_ABI)
INST_LUADIR ?= $(PREFIX)/share/lua/$(LUA_ABI)
INST_BINDIR ?= $(PREFIX)/bin
INST_MANDIR ?= $(PREFIX)/share/man/man1
INST_DOCDIR ?= $(PREFIX)/share/doc/lua-seccomp
DESTDIR ?=

CC ?= cc
WARNINGS = -std=c99 -Wall -Wextra -Wshadow -Wundef -Wwrite-strings \
           -Wmissing-prototypes -Wstrict-prototypes
# Warnings are errors here and in CI; a package build may turn that off.
WERROR ?= -Werror
CFLAGS ?= -O2 -g

# libseccomp's flags: from LIBSECCOMP_INCDIR and LIBSECCOMP_LIBDIR when given
# (LuaRocks gives both), else from pkg-config, else the compiler's own
# search paths.
PKG_CONFIG ?= pkg-config
HAVE_PKG_LIBSECCOMP := $(shell $(PKG_CONFIG) --exists libseccomp 2>/dev/null && echo yes)
ifdef LIBSECCOMP_INCDIR
LIBSECCOMP_CFLAGS = -I$(LIBSECCOMP_INCDIR)
else ifeq ($(HAVE_PKG_LIBSECCOMP),yes)
LIBSECCOMP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libseccomp)
else
LIBSECCOMP_CFLAGS =
endif
ifdef LIBSECCOMP_LIBDIR
LIBSECCOMP_LIBS = -L$(LIBSECCOMP_LIBDIR) -lseccomp
else ifeq ($(HAVE_PKG_LIBSECCOMP),yes)
LIBSECCOMP_LIBS := $(shell $(PKG_CONFIG) --libs libseccomp)
else
LIBSECCOMP_LIBS = -lseccomp
endif

# The core uses Linux interfaces glibc declares only with _GNU_SOURCE
# (memfd_create, syscall, ucontext registers); every compile of CORE_SRCS
# gets it from here.
CORE_DEFINES = -D_GNU_SOURCE
ALL_CFLAGS = $(WARNINGS) $(WERROR) -fPIC -fvisibility=hidden $(CFLAGS) \
             $(CORE_DEFINES) -I$(LUA_INCDIR) $(LIBSECCOMP_CFLAGS)
# -pthread and -ldl: the export lock and the report's module pin (in libc from glibc 2.34)
LDFLAGS_SO = -shared -pthread $(LIBSECCOMP_LIBS) -ldl

ifeq ($(LUA_VERSION),5.4)
BUILD ?= build
else
BUILD ?= build/lua-$(LUA_VERSION)
endif
CORE = $(BUILD)/seccomp/core.so
LIBSECCOMP_OK = $(BUILD)/libseccomp-2.5.ok
# Every C source of seccomp.core, here and nowhere else. A source left out
# fails the link (see check_module), not the first `require`.
CORE_SRCS = src/core.c src/errors.c src/values.c src/filter.c src/actions.c \
            src/rules.c src/attributes.c src/export.c src/process.c \
            src/constants.c src/constants_gen.c src/simulate.c src/notify.c \
            src/report.c src/outcome.c src/supervisor.c
CORE_HDRS = src/lua_seccomp.h src/lua_compat.h
LUA_MODULES = $(wildcard lua/seccomp/*.lua)
LINT_LUA = lua spec examples bench bin scripts
LINT_C =
TEST_DEPS =
BUSTED = $(LUA) /usr/bin/busted
# The spec files test-suite runs (all when empty), and those test-versions
# runs under the other versions: the specs that pass on every Lua so far
# (the others still need a 5.1-safe port of their own).
SPECS ?=
VERSION_SPECS = spec/03-actions_spec.lua spec/05-lifetime_spec.lua \
  spec/06-defaults_spec.lua spec/07-rule_semantics_spec.lua spec/20-constants_spec.lua \
  spec/21-groups_spec.lua spec/23-compile_spec.lua spec/24-policy_regressions_spec.lua \
  spec/25-arches_spec.lua spec/27-promise_overlap_spec.lua spec/31-runner_spec.lua \
  spec/34-notify_spec.lua spec/37-cli_anywhere_spec.lua spec/38-learn_truth_spec.lua \
  spec/40-bypass_spec.lua spec/41-semantics_spec.lua spec/43-fuzz_spec.lua \
  spec/45-libseccomp_spec.lua spec/48-multiplex_spec.lua \
  spec/49-simulator_abi_spec.lua spec/52-limits_spec.lua spec/61-child_spec.lua \
  spec/62-policy_index_spec.lua spec/70-versions_spec.lua spec/71-threads_spec.lua
BENCH_SCRIPTS = bench/build_bench.lua bench/optimizer_bench.lua bench/learn_bench.lua \
                bench/report_bench.lua
# The C program bench/build_bench.lua measures the Lua side against.
BENCH_BUILD_FILTER = $(BUILD)/bench/build_filter
MAN_PAGES = $(wildcard man/*.1)
DOC_FILES = README.md SECURITY.md CHANGELOG.md LICENSE docs/API.md

export LUA_PATH := lua/?.lua;lua/?/init.lua;;
export LUA_CPATH := $(BUILD)/?.so;;

# A shared object links with undefined symbols; one of ours left undefined
# means a source is missing from CORE_SRCS, so the module is refused here.
# $(1): the module just linked.
define check_module
@undefined=$$(nm -D --undefined-only $(1) | awk '$$2 ~ /^lsc_/ { print $$2 }'); \
  if [ -n "$$undefined" ]; then \
    echo "$(1): defined by no source in CORE_SRCS:" $$undefined >&2; rm -f $(1); exit 1; fi
endef

# Targets for what is built besides the module, one fragment each (mk/*.mk):
# test helpers, sanitizer builds, the fuzzer.
.DEFAULT_GOAL := all
-include $(sort $(wildcard mk/*.mk))

.PHONY: all deps test test-versions test-suite lint demo docs bench install uninstall clean rockspec-check \
        print-sources constants

all: $(CORE)

# libseccomp 2.5 is the oldest the core is written for: an older seccomp.h
# stops the build here with a message that says so.
$(LIBSECCOMP_OK): scripts/libseccomp-check.c
	@mkdir -p $(dir $@)
	@$(CC) -fsyntax-only $(LIBSECCOMP_CFLAGS) $< && touch $@

$(CORE): $(CORE_SRCS) $(CORE_HDRS) Makefile $(wildcard mk/*.mk) $(LIBSECCOMP_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(CORE_SRCS) $(LDFLAGS_SO)
	$(call check_module,$@)

# The named constants are data (scripts/constants.lua); the C is generated
# from it and committed, so a build needs no Lua to make it.
GEN_CONSTANTS = $(LUA) scripts/gen-constants.lua scripts/constants.lua
constants:
	$(GEN_CONSTANTS) >src/constants_gen.c.new
	mv src/constants_gen.c.new src/constants_gen.c

# Installs missing Debian packages when run as root, else says what to run.
deps:
	@sh scripts/deps.sh

test: deps all $(TEST_DEPS)
	$(BUSTED)
	$(MAKE) --no-print-directory test-versions
	$(MAKE) --no-print-directory lint rockspec-check

# The whole suite under every other Lua installed, each with its own
# build of the core and of the test modules (the strict warnings as
# errors, with clang too). A Lua not installed is named and skipped.
test-versions: deps $(SYSRAW)
	@set -e; for v in $(OTHER_LUA_VERSIONS); do \
	  case $$v in jit) lua=luajit inc=/usr/include/luajit-2.1 ;; \
	              *) lua=lua$$v inc=/usr/include/lua$$v ;; esac; \
	  if ! command -v $$lua >/dev/null || [ ! -f $$inc/lua.h ]; then \
	    echo "test-versions: $$lua or its headers are not installed: skipped"; continue; fi; \
	  $(MAKE) --no-print-directory LUA_VERSION=$$v LUA=$$lua LUA_INCDIR=$$inc \
	    BUILD=$(BUILD)/lua-$$v all security-helpers; \
	  if command -v clang >/dev/null; then echo "clang: strict warnings against $$inc"; \
	    clang $(WARNINGS) -Werror -fsyntax-only $(CORE_DEFINES) -I$$inc $(LIBSECCOMP_CFLAGS) \
	      $(CORE_SRCS); fi; \
	  echo "$$lua: $(words $(VERSION_SPECS)) spec files"; \
	  $(MAKE) --no-print-directory LUA_VERSION=$$v LUA=$$lua LUA_INCDIR=$$inc \
	    BUILD=$(BUILD)/lua-$$v SPECS="$(VERSION_SPECS)" test-suite; \
	done

# The suite under $(LUA), against $(BUILD) (LUA_CPATH is exported from it,
# so fresh interpreters the specs start find this build too). LuaJIT runs
# it with its compiler off: a pledge without prot_exec refuses a running
# compiler (policy.lua); spec/70 turns it on where it tests that.
test-suite:
	SECCOMP_BUILD=$(BUILD) $(LUA) $(if $(filter jit,$(LUA_VERSION)),-joff) /usr/bin/busted \
	  --cpath="$(BUILD)/?.so" $(SPECS)

lint: deps
	luacheck $(LINT_LUA)
	@$(GEN_CONSTANTS) | cmp -s - src/constants_gen.c || \
	  { echo "src/constants_gen.c is not what scripts/constants.lua gives: run make constants" >&2; \
	    exit 1; }
	@set -e; for cc in $(CC) $$(command -v clang || true); do \
	  echo "$$cc: strict warnings over the core and the helpers"; \
	  $$cc $(WARNINGS) -Werror -fsyntax-only $(CORE_DEFINES) -I$(LUA_INCDIR) \
	    $(LIBSECCOMP_CFLAGS) $(CORE_SRCS); \
	  $$cc $(WARNINGS) -Werror -fsyntax-only -I$(LUA_INCDIR) -Isrc $(LIBSECCOMP_CFLAGS) \
	    $(LINT_C); done

# `luarocks make` into a private tree, then require it from there.
rockspec-check: all
	@sh scripts/rockspec-check.sh

demo: deps all
	@$(LUA) examples/run_demo.lua

# HTML reference from the doc comments (LDoc, config.ld) into build/docs;
# any LDoc warning fails the target.
docs: deps
	@sh scripts/docs.sh $(BUILD)/docs

$(BENCH_BUILD_FILTER): bench/build_filter.c
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) -Werror -O2 $(LIBSECCOMP_CFLAGS) -o $@ $< $(LIBSECCOMP_LIBS)

bench: deps all $(LRAW) $(BENCH_BUILD_FILTER)
	@for b in $(BENCH_SCRIPTS); do \
	  BENCH_BUILD_FILTER=$(BENCH_BUILD_FILTER) $(LUA) $$b || exit 1; done

install: all
	install -d $(DESTDIR)$(INST_LIBDIR)/seccomp $(DESTDIR)$(INST_LUADIR)/seccomp
	install -m 755 $(CORE) $(DESTDIR)$(INST_LIBDIR)/seccomp/core.so
	install -m 644 $(LUA_MODULES) $(DESTDIR)$(INST_LUADIR)/seccomp/
	@if [ -f bin/lua-seccomp ]; then install -d $(DESTDIR)$(INST_BINDIR) && \
	  sed '1s|^#!.*|#!/usr/bin/env $(LUA)|' bin/lua-seccomp >$(BUILD)/lua-seccomp.bin && \
	  install -m 755 $(BUILD)/lua-seccomp.bin $(DESTDIR)$(INST_BINDIR)/lua-seccomp; fi
	@if [ -n "$(MAN_PAGES)" ]; then install -d $(DESTDIR)$(INST_MANDIR) && \
	  install -m 644 $(MAN_PAGES) $(DESTDIR)$(INST_MANDIR)/; fi
	install -d $(DESTDIR)$(INST_DOCDIR)
	install -m 644 $(DOC_FILES) $(DESTDIR)$(INST_DOCDIR)/

uninstall:
	rm -rf $(DESTDIR)$(INST_LIBDIR)/seccomp $(DESTDIR)$(INST_LUADIR)/seccomp \
	       $(DESTDIR)$(INST_BINDIR)/lua-seccomp $(DESTDIR)$(INST_DOCDIR) \
	       $(addprefix $(DESTDIR)$(INST_MANDIR)/,$(notdir $(MAN_PAGES)))

clean:
	rm -rf $(BUILD) seccomp src/*.o

print-sources:
	@echo $(CORE_SRCS)
