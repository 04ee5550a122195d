# Coverage-guided fuzzing of the C core with libFuzzer (clang), under
# AddressSanitizer and UndefinedBehaviorSanitizer. Not part of `make test`:
# `make fuzz FUZZ_SECONDS=600` runs it for as long as asked.
FUZZ_BUILD = $(BUILD)/fuzz
FUZZ_BIN = $(FUZZ_BUILD)/core_fuzz
FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
LINT_C += fuzz/core_fuzz.c

.PHONY: fuzz

$(FUZZ_BIN): fuzz/core_fuzz.c $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	@command -v clang >/dev/null || { echo "make fuzz needs clang: apt-get install clang" >&2; exit 1; }
	clang $(WARNINGS) -Werror $(FUZZ_FLAGS) $(CORE_DEFINES) -I$(LUA_INCDIR) $(LIBSECCOMP_CFLAGS) -Isrc -o $@ \
	  fuzz/core_fuzz.c $(CORE_SRCS) -llua$(LUA_VERSION) $(LIBSECCOMP_LIBS) -lm

fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_BUILD)/corpus
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=512 -print_final_stats=1 \
	  $(FUZZ_BUILD)/corpus
