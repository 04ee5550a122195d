# Test helpers the specs run or load: sysraw (raw system calls, on every
# ABI), the lthread module (threads for the thread-sync specs) and the
# lraw module (one raw call or a raw program load, in the process itself).

SYSRAW = $(BUILD)/sysraw
LTHREAD = $(BUILD)/spec/lthread.so
LRAW = $(BUILD)/spec/lraw.so
SPEC_MODULES = $(LTHREAD) $(LRAW)
TEST_DEPS += $(SYSRAW) $(SPEC_MODULES)
LINT_C += spec/helper/sysraw.c spec/helper/lthread.c spec/helper/lraw.c

# Static and not position independent: starts with few system calls (so
# allowlists in the specs stay short) and keeps its data below 4 GiB, where
# the i386 ABI can point at it.
$(SYSRAW): spec/helper/sysraw.c
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) -Werror -O2 -static -no-pie -pthread -o $@ $<

$(SPEC_MODULES): $(BUILD)/spec/%.so: spec/helper/%.c
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) -Werror -O2 -fPIC -shared -pthread -I$(LUA_INCDIR) -Isrc -o $@ $<

.PHONY: security-helpers

security-helpers: $(SYSRAW) $(SPEC_MODULES)
