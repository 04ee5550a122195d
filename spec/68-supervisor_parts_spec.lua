-- The supervisor's parts: the handover page, ending a process, the
-- variants it loads, the line's decoding; bad input raises.
local seccomp = require "seccomp"
local core = require "seccomp.core"
local child = require "seccomp.child"
local report = require "seccomp.report"
local helpers = require "helpers"

describe("the supervisor's parts", function()
  it("kills become notify returns in the variant, and nothing else changes", function()
    local f = seccomp.filter("allow")
    f:add("kill_process", "ptrace")
    f:add("kill_thread", "getppid")
    f:add(seccomp.errno("EPERM"), "mkdir")
    f:add("trap", "uname")
    local plain = core.bpf_returns(f:bpf())
    local variant = core.bpf_returns(core.bpf_variant(f, { kill_as_notify = true }))
    local both = core.bpf_returns(core.bpf_variant(f, { kill_as_notify = true,
                                                         errno_as_notify = true }))
    assert.are.same({ kill_process = true, kill_thread = true, errno = true, trap = true,
                      allow = true }, plain)
    assert.are.same({ notify = true, errno = true, trap = true, allow = true }, variant)
    assert.are.same({ notify = true, trap = true, allow = true }, both)
    -- the same instructions but the returns
    assert.are.equal(#f:bpf(), #core.bpf_variant(f, { kill_as_notify = true }))
    assert.has_error(function() core.bpf_variant(f, { kill_as_notice = true }) end,
                     "seccomp: bpf_variant(kill_as_notice): Invalid argument (EINVAL): unknown "
                     .. "option (kill_as_trap, notify_as_enosys, kill_as_notify, errno_as_notify)")
    assert.has_error(function() core.bpf_returns("123") end,
                     "seccomp: bpf_returns: Invalid argument (EINVAL): not whole instructions")
  end)

  it("a handover fails with ESRCH when the loader ends first, and takes nothing else", function()
    local h = core.handover_new()
    local started = child.start(function() core.exit(0) end)
    assert.has_error(function() core.handover_take(h, started.pid, 2000) end)
    started:wait()
    assert.has_error(function() core.handover_take({}, 1) end,
                     "seccomp: handover_take(handover): Invalid argument (EINVAL): expected a "
                     .. "seccomp.handover, got table")
    assert.has_error(function() core.load_filter(seccomp.filter("allow"), { handover = "h" }) end,
                     "seccomp: load(handover): Invalid argument (EINVAL): expected a "
                     .. "seccomp.handover, got string")
  end)

  it("ends a process by SIGSYS, or by SIGKILL when SIGSYS would not kill it", function()
    local function ended(setup)
      local r, w = core.pipe()
      local h = child.start(function()
        setup()
        core.write(w, "ready")
        core.close_fd(w)
        while true do child.poll({}, 1000) end
      end)
      core.close_fd(w)
      core.read(r)
      core.close_fd(r)
      local how, tgid = core.supervisor_end(h.pid)
      local res = h:wait()
      return how, tgid == h.pid, res.how, res.code
    end
    assert.are.same({ "SIGSYS", true, "signal", seccomp.SIG.SIGSYS },
                    { ended(function() end) })
    assert.are.same({ "SIGKILL", true, "signal", seccomp.SIG.SIGKILL },
                    { ended(function() child.install_report(nil, -1) end) })
    assert.are.same({ "gone" }, { (core.supervisor_end(2147483646)) })
  end)

  it("decodes the arguments it knows, and shows the rest as numbers", function()
    local function reader(text) return function() return text, false end end
    assert.are.equal('openat(AT_FDCWD, "/x", O_WRONLY|O_CREAT|O_TRUNC, 0644)',
                     report.call_text("openat", 257, { -100, 1, 577, 420, 0, 0 }, reader("/x")))
    assert.are.equal('openat(3, "a\\"b\\n", O_RDONLY|O_CLOEXEC)',
                     report.call_text("openat", 257, { 3, 1, 524288, 0, 0, 0 },
                                      reader('a"b\n')))
    assert.are.equal("mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
                     report.call_text("mmap", 9, { 0, 4096, 3, 0x22, 0xffffffff, 0 }))
    assert.are.equal("socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0)",
                     report.call_text("socket", 41, { 2, 0x80001, 0, 0, 0, 0 }))
    assert.are.equal("kill(1, SIGKILL)", report.call_text("kill", 62, { 1, 9, 0, 0, 0, 0 }))
    assert.are.equal("openat(AT_FDCWD, 0x1234, O_RDONLY)",
                     report.call_text("openat", 257, { -100, 0x1234, 0, 0, 0, 0 }))
    assert.are.equal("execve(NULL, 0, 0)", report.call_text("execve", 59, { 0, 0, 0, 0, 0, 0 }))
    assert.are.equal("syscall 999(1, 2, 3, 4, 5, 0x10000)",
                     report.call_text(nil, 999, { 1, 2, 3, 4, 5, 0x10000 }))
    assert.are.equal("seccomp: refused (EPERM): mkdir(\"/d\", 0700) in pid 5 thread 6 (/bin/x); "
                     .. "allowed by promise cpath\n",
                     report.line("errno", 1, 'mkdir("/d", 0700)', nil, 5, 6, "/bin/x",
                                 "promise cpath"))
    assert.are.equal("promise rpath, @file-system, @system-service",
                     (report.hint("openat", { -100, 1, 0, 0, 0, 0 }):gsub(" or dns", "")))
    assert.is_nil(report.hint(nil, {}))
  end)

  it("the kernel's own ends: a process under run with SIGSYS blocked is still named", function()
    -- the thread status the supervisor reads: blocked SIGSYS is not fatal
    local policy = helpers.tmpname()
    helpers.write_file(policy, 'return { default = "allow", kill_process = { "uname" } }\n')
    local code, out, err = helpers.cli("run --policy " .. policy .. " -- " .. helpers.BUILD
                                         .. "/refuse block")
    os.remove(policy)
    assert.are.equal(128 + seccomp.SIG.SIGSYS, code, err)
    assert.are.equal("", out)
    assert.matches("^seccomp: killed: uname%(", err)
  end)
end)
