# Policy layer: named constants (C), @groups, pledge promises and
# declarative policies (Lua), and their specs.
CORE_SRCS += src/constants.c
