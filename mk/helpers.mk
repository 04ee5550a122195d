# Test helpers the specs run or load: sysraw (raw system calls, on every
# ABI) and the lthread module (threads for the thread-sync specs).

SYSRAW = $(BUILD)/sysraw
LTHREAD = $(BUILD)/spec/lthread.so
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

.PHONY: security-helpers

security-helpers: $(SYSRAW) $(LTHREAD)
