# The security and reliability specs (SECURITY.md): bypass, semantics,
# differential, fuzz, memory and libseccomp, with CI's counts and with the
# full counts SECURITY.md reports.

SECURITY_SPECS = spec/40-bypass_spec.lua spec/41-semantics_spec.lua \
                 spec/42-differential_spec.lua spec/43-fuzz_spec.lua \
                 spec/44-memory_spec.lua spec/45-libseccomp_spec.lua

.PHONY: security security-full

security: all security-helpers
	$(BUSTED) $(SECURITY_SPECS)

security-full: all security-helpers
	SECCOMP_DIFF_FILTERS=100 SECCOMP_DIFF_CALLS=100 SECCOMP_FUZZ_CALLS=100000 \
	SECCOMP_MEMORY_CYCLES=100000 SECCOMP_FUZZ_REPORT=1 SECCOMP_MEMORY_REPORT=1 \
	$(BUSTED) $(SECURITY_SPECS)
