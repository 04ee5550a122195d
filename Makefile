# lua-seccomp: build, test, lint, demo, docs, bench, install.
# Variables follow LuaRocks' names so `luarocks make` and distributions can
# override them: LUA, LUA_INCDIR, LIBSECCOMP_INCDIR, LIBSECCOMP_LIBDIR,
# INST_LIBDIR, INST_LUADIR, INST_BINDIR, INST_MANDIR, INST_DOCDIR, PREFIX,
# DESTDIR, BUILD, WERROR.

LUA_VERSION ?= 5.4
LUA ?= lua$(LUA_VERSION)
LUA_INCDIR ?= /usr/include/lua$(LUA_VERSION)
LIBSECCOMP_INCDIR ?= /usr/include
LIBSECCOMP_LIBDIR ?= /usr/lib/x86_64-linux-gnu
PREFIX ?= /usr/local
INST_LIBDIR ?= $(PREFIX)/lib/lua/$(LUA_VERSION)
INST_LUADIR ?= $(PREFIX)/share/lua/$(LUA_VERSION)
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
ALL_CFLAGS = $(WARNINGS) $(WERROR) -fPIC -fvisibility=hidden $(CFLAGS) \
             -I$(LUA_INCDIR) -I$(LIBSECCOMP_INCDIR)
LDFLAGS_SO = -shared -L$(LIBSECCOMP_LIBDIR) -lseccomp

BUILD ?= build
CORE = $(BUILD)/seccomp/core.so
LIBSECCOMP_OK = $(BUILD)/libseccomp-2.5.ok
CORE_SRCS = src/core.c src/errors.c src/values.c src/filter.c src/actions.c \
            src/rules.c src/attributes.c src/export.c src/process.c
CORE_HDRS = src/lua_seccomp.h
LUA_MODULES = $(wildcard lua/seccomp/*.lua)
LINT_LUA = lua spec examples bench bin
LINT_C =
TEST_DEPS =
BUSTED = $(LUA) /usr/bin/busted
BENCH_SCRIPTS = bench/build_bench.lua bench/optimizer_bench.lua
# The C program bench/build_bench.lua measures the Lua side against.
BENCH_BUILD_FILTER = $(BUILD)/bench/build_filter
MAN_PAGES = $(wildcard man/*.1)
DOC_FILES = README.md SECURITY.md CHANGELOG.md LICENSE docs/API.md

export LUA_PATH := lua/?.lua;lua/?/init.lua;;
export LUA_CPATH := $(BUILD)/?.so;;

# Each concern's targets and additions live in one fragment (mk/*.mk).
.DEFAULT_GOAL := all
-include $(sort $(wildcard mk/*.mk))

.PHONY: all deps test lint demo docs bench install uninstall clean rockspec-check print-sources

all: $(CORE)

# libseccomp 2.5 is the oldest the core is written for: an older seccomp.h
# stops the build here with a message that says so.
$(LIBSECCOMP_OK): scripts/libseccomp-check.c
	@mkdir -p $(dir $@)
	@$(CC) -fsyntax-only -I$(LIBSECCOMP_INCDIR) $< && touch $@

$(CORE): $(CORE_SRCS) $(CORE_HDRS) Makefile $(wildcard mk/*.mk) $(LIBSECCOMP_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(CORE_SRCS) $(LDFLAGS_SO)

# Installs missing Debian packages when run as root, else says what to run.
deps:
	@sh scripts/deps.sh

test: deps all $(TEST_DEPS)
	$(BUSTED)
	$(MAKE) --no-print-directory lint rockspec-check

lint: deps
	luacheck $(LINT_LUA)
	$(CC) $(WARNINGS) -Werror -fsyntax-only -I$(LUA_INCDIR) $(CORE_SRCS) $(LINT_C)
	@if command -v clang >/dev/null; then \
	  clang $(WARNINGS) -Werror -fsyntax-only -I$(LUA_INCDIR) $(CORE_SRCS) $(LINT_C); fi

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
	$(CC) $(WARNINGS) -Werror -O2 -I$(LIBSECCOMP_INCDIR) -o $@ $< \
	  -L$(LIBSECCOMP_LIBDIR) -lseccomp

bench: deps all $(BENCH_BUILD_FILTER)
	@for b in $(BENCH_SCRIPTS); do \
	  BENCH_BUILD_FILTER=$(BENCH_BUILD_FILTER) $(LUA) $$b || exit 1; done

install: all
	install -d $(DESTDIR)$(INST_LIBDIR)/seccomp $(DESTDIR)$(INST_LUADIR)/seccomp
	install -m 755 $(CORE) $(DESTDIR)$(INST_LIBDIR)/seccomp/core.so
	install -m 644 $(LUA_MODULES) $(DESTDIR)$(INST_LUADIR)/seccomp/
	@if [ -f bin/lua-seccomp ]; then install -d $(DESTDIR)$(INST_BINDIR) && \
	  install -m 755 bin/lua-seccomp $(DESTDIR)$(INST_BINDIR)/lua-seccomp; fi
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
