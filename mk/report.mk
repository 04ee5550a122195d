# The program the report specs run under `lua-seccomp run`
# (spec/helper/refuse.c): it tries to survive a call the policy kills.
# Static, so that the only calls it makes are its own.

REFUSE = $(BUILD)/refuse
TEST_DEPS += $(REFUSE)
LINT_C += spec/helper/refuse.c

$(REFUSE): spec/helper/refuse.c
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) -Werror -O2 -static -pthread -o $@ $<
