# Tools: BPF simulator, child runner, violation reports, user
# notification, learn mode and the lua-seccomp command.
CORE_SRCS += src/simulate.c src/notify.c src/report.c
TEST_SPECS += spec/30-simulate_spec.lua spec/31-runner_spec.lua \
              spec/32-report_spec.lua spec/33-learn_spec.lua \
              spec/34-notify_spec.lua spec/35-cli_spec.lua
BENCH_SCRIPTS += bench/learn_bench.lua
