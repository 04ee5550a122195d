# Tools: BPF simulator, child runner, violation reports, user
# notification, learn mode and the lua-seccomp command.
CORE_SRCS += src/simulate.c src/notify.c src/report.c
BENCH_SCRIPTS += bench/learn_bench.lua
