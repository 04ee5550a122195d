# The module under valgrind (make memcheck) and built again with
# AddressSanitizer and UndefinedBehaviorSanitizer (make asan).

.PHONY: memcheck asan

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
# process.c (fork, _exit, exec) gets UBSan only: ASan runs its own code
# before every call that does not return, and in a child whose filter
# denies what that code needs (sigaltstack, mmap) the child could not exit.
ASAN_PLAIN = src/process.c
$(ASAN_CORE): $(CORE_SRCS) $(CORE_HDRS) Makefile $(wildcard mk/*.mk)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 -fsanitize=undefined -fno-sanitize-recover=undefined \
	  -c -o $(ASAN_BUILD)/process.o $(ASAN_PLAIN)
	$(CC) $(ALL_CFLAGS) -O1 $(ASAN_FLAGS) -o $@ \
	  $(filter-out $(ASAN_PLAIN),$(CORE_SRCS)) $(ASAN_BUILD)/process.o $(LDFLAGS_SO)
	$(call check_module,$@)

ASAN_SPECS ?= $(wildcard spec/*_spec.lua)
# Children whose filter fails most calls (default notify with no listener,
# a kill-everything runner test whose function raises) cannot run the
# sanitizer's own allocator and reporting; programs exec'd under a pledge
# (getent, cat) get the runtime preloaded too, and their pledge refuses
# what it needs at startup (SIGSYS). So do the policy-file child (its
# filter allows only memory, exit and one pipe), commands run under a
# pledge by the CLI, and random filters that kill the runtime's own calls
# (sigaltstack). Left out here, run by `make test`.
ASAN_SKIP = --filter-out="with its listener closed fails calls with ENOSYS" \
            --filter-out="f:test reports an error the function raised" \
            --filter-out="dns still resolves names" \
            --filter-out="stdio lets /bin/cat run" \
            --filter-out="otherfile under stdio rpath exec prot_exec" \
            --filter-out="calls as the plain load does" \
            --filter-out="runs a policy file as data" \
            --filter-out="runs a command under promises" \
            --filter-out="end with exit 3 and a message naming the limit" \
            --filter-out="refuse what is not data"
asan: $(ASAN_CORE) security-helpers
	LUA_CPATH="$(ASAN_BUILD)/?.so;;" \
	LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) $$($(CC) -print-file-name=libubsan.so)" \
	ASAN_OPTIONS=detect_leaks=0:handle_abort=0:handle_segv=0:handle_sigill=0:handle_sigfpe=0:handle_sigbus=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 SECCOMP_SANITIZER=1 \
	$(BUSTED) --cpath="$(ASAN_BUILD)/?.so" $(ASAN_SKIP) $(ASAN_SPECS)
