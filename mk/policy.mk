# Policy layer: named constants (C), @groups, pledge promises and
# declarative policies (Lua), and their specs.
CORE_SRCS += src/constants.c
TEST_SPECS += spec/20-constants_spec.lua spec/21-groups_spec.lua \
              spec/22-pledge_spec.lua spec/23-compile_spec.lua
