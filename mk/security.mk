# Security and reliability checks (SECURITY.md): test helpers that make raw
# system calls, the bypass / semantics / differential / fuzz / memory /
# libseccomp specs, and the memcheck, asan and security-full targets.

# Fragments are read before the Makefile's own rules: keep `all` the
# default goal.
all:

SYSRAW = $(BUILD)/sysraw
LTHREAD = $(BUILD)/spec/lthread.so
SECURITY_SPECS = spec/40-bypass_spec.lua spec/41-semantics_spec.lua \
                 spec/42-differential_spec.lua spec/43-fuzz_spec.lua \
                 spec/44-memory_spec.lua spec/45-libseccomp_spec.lua
TEST_SPECS += $(SECURITY_SPECS)
TEST_DEPS += $(SYSRAW) $(LTHREAD)
LINT_C += spec/helper/sysraw.c spec/helper/lthread.c

# Static and not position independent: starts with few system calls (so
# allowlists in the specs stay short) and keeps its data below 4 GiB, where
# the i386 ABI can point at it.
$(SYSRAW): spec/helper/sysraw.c
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) -Werror -O2 -static -no-pie -pthread -o $@ $<

$(LTHREAD): spec/helper/lthread.c
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) -Werror -O2 -fPIC -shared -pthread -I$(LUA_INCDIR) -o $@ $<

.PHONY: security-helpers security security-full memcheck asan

security-helpers: $(SYSRAW) $(LTHREAD)

# The security specs with the quick counts CI uses.
security: all security-helpers
	busted $(SECURITY_SPECS)

# The full counts reported in SECURITY.md.
security-full: all security-helpers
	SECCOMP_DIFF_FILTERS=100 SECCOMP_DIFF_CALLS=100 SECCOMP_FUZZ_CALLS=100000 \
	SECCOMP_MEMORY_CYCLES=100000 SECCOMP_FUZZ_REPORT=1 SECCOMP_MEMORY_REPORT=1 \
	busted $(SECURITY_SPECS)

# valgrind (memcheck) over a script that drives every allocating path of
# the core, then over the fuzz spec (its forked children stay under
# valgrind). valgrind 3.19 does not know the seccomp() system call, so
# libseccomp would fall back to API level 1: level 3 is set first. Loading
# cannot run under valgrind; `make asan` covers it.
VALGRIND = valgrind --quiet --leak-check=full --show-leak-kinds=definite \
           --errors-for-leak-kinds=definite --error-exitcode=99
# The busted runner itself (a Lua script), to start it under valgrind.
BUSTED_SCRIPT ?= /usr/bin/busted
MEMCHECK_API = -e 'local s = require "seccomp"; if s.api_level() < 3 then s.set_api_level(3) end'
memcheck: all security-helpers
	$(VALGRIND) $(LUA) spec/helper/memcheck.lua 300
	SECCOMP_FUZZ_CALLS=5000 SECCOMP_SANITIZER=1 $(VALGRIND) $(LUA) $(MEMCHECK_API) \
	  $(BUSTED_SCRIPT) spec/43-fuzz_spec.lua

# The core again with AddressSanitizer and UndefinedBehaviorSanitizer, in
# its own directory; the specs run against it with the runtime preloaded
# (the interpreter itself is not instrumented).
ASAN_BUILD = $(BUILD)/asan
ASAN_CORE = $(ASAN_BUILD)/seccomp/core.so
ASAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
             -fno-omit-frame-pointer
$(ASAN_CORE): $(CORE_SRCS) $(CORE_HDRS) Makefile $(wildcard mk/*.mk)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(ASAN_FLAGS) -o $@ $(CORE_SRCS) $(LDFLAGS_SO)

ASAN_SPECS ?= $(wildcard spec/*_spec.lua)
asan: $(ASAN_CORE) security-helpers
	LUA_CPATH="$(ASAN_BUILD)/?.so;;" \
	LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) $$($(CC) -print-file-name=libubsan.so)" \
	ASAN_OPTIONS=detect_leaks=0:handle_abort=0:handle_segv=0:handle_sigill=0:handle_sigfpe=0:handle_sigbus=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 SECCOMP_SANITIZER=1 \
	busted --cpath="$(ASAN_BUILD)/?.so" $(ASAN_SPECS)
