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
    runner, learn mode and the lua-seccomp command. Needs Linux and
    libseccomp 2.5 or later; Lua 5.1 to 5.4 or LuaJIT 2.1.
  ]],
  homepage = "https://github.com/lua-seccomp/lua-seccomp",
  issues_url = "https://github.com/lua-seccomp/lua-seccomp/issues",
  maintainer = "the lua-seccomp authors",
  license = "MIT",
  labels = { "security", "sandbox", "seccomp", "linux" },
}

supported_platforms = { "linux" }

dependencies = {
  "lua >= 5.1, < 5.5",
  "dkjson >= 2.5",  -- seccomp.oci only (OCI and Docker profiles)
}

external_dependencies = {
  LIBSECCOMP = {
    header = "seccomp.h",
    library = "seccomp",
  },
}

-- The Makefile builds (into build/luarocks, so the checkout keeps no
-- build products), checks for libseccomp >= 2.5 first, and installs the
-- modules, the lua-seccomp command, its man page and the documentation.
build = {
  type = "make",
  build_variables = {
    BUILD = "build/luarocks",
    CFLAGS = "$(CFLAGS)",
    LUA = "$(LUA)",
    LUA_INCDIR = "$(LUA_INCDIR)",
    LIBSECCOMP_INCDIR = "$(LIBSECCOMP_INCDIR)",
    LIBSECCOMP_LIBDIR = "$(LIBSECCOMP_LIBDIR)",
    WERROR = "",
  },
  install_variables = {
    BUILD = "build/luarocks",
    INST_LIBDIR = "$(LIBDIR)",
    INST_LUADIR = "$(LUADIR)",
    INST_BINDIR = "$(BINDIR)",
    INST_MANDIR = "$(PREFIX)/man/man1",
    INST_DOCDIR = "$(PREFIX)/doc",
  },
}
