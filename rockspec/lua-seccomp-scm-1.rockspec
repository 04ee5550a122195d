rockspec_format = "3.0"
package = "lua-seccomp"
version = "scm-1"

source = {
  url = "git+https://github.com/lua-seccomp/lua-seccomp.git",
}

description = {
  summary = "Linux seccomp filters for Lua: a complete libseccomp binding, pledge-style promises and tools",
  detailed = [[
    Build seccomp filters from Lua, add rules with argument comparators, and
    load them: every forbidden system call is then refused or kills the
    process. Includes a policy layer (pledge promises, systemd-style
    @groups, declarative policies), a BPF simulator, a child-process test
    runner, learn mode and the lua-seccomp command.
  ]],
  license = "MIT",
  labels = { "security", "sandbox", "seccomp", "linux" },
}

supported_platforms = { "linux" }

dependencies = {
  "lua >= 5.4",
}

external_dependencies = {
  LIBSECCOMP = {
    header = "seccomp.h",
    library = "seccomp",
  },
}

build = {
  type = "builtin",
  modules = {
    ["seccomp.core"] = {
      sources = {
        "src/core.c", "src/errors.c", "src/values.c", "src/filter.c",
        "src/actions.c", "src/rules.c", "src/attributes.c", "src/export.c",
        "src/process.c", "src/constants.c", "src/simulate.c", "src/notify.c",
        "src/report.c",
      },
      defines = { "_GNU_SOURCE" },
      libraries = { "seccomp" },
      incdirs = { "$(LIBSECCOMP_INCDIR)" },
      libdirs = { "$(LIBSECCOMP_LIBDIR)" },
    },
    ["seccomp"] = "lua/seccomp/init.lua",
    ["seccomp.groups"] = "lua/seccomp/groups.lua",
    ["seccomp.promises"] = "lua/seccomp/promises.lua",
    ["seccomp.policy"] = "lua/seccomp/policy.lua",
    ["seccomp.runner"] = "lua/seccomp/runner.lua",
    ["seccomp.learn"] = "lua/seccomp/learn.lua",
    ["seccomp.policy_file"] = "lua/seccomp/policy_file.lua",
    ["seccomp.notify"] = "lua/seccomp/notify.lua",
    ["seccomp.report"] = "lua/seccomp/report.lua",
  },
  install = {
    bin = { ["lua-seccomp"] = "bin/lua-seccomp" },
  },
}
