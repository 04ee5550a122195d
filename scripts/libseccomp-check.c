/* Built with -fsyntax-only before the core: stops the build with a clear
 * message when seccomp.h is older than libseccomp 2.5. */
#include <seccomp.h>

#if !defined(SCMP_VER_MAJOR) || !defined(SCMP_VER_MINOR)
#error "lua-seccomp needs libseccomp >= 2.5: this seccomp.h has no version macros (libseccomp < 2.3)"
#elif SCMP_VER_MAJOR < 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR < 5)
#error "lua-seccomp needs libseccomp >= 2.5: this seccomp.h is older (Debian 12: apt-get install libseccomp-dev)"
#endif

/* A translation unit must declare something. */
typedef int lsc_libseccomp_is_2_5_or_newer;
