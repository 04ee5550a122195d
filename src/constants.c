/*
 * constants.c: named kernel constants for comparators and policies.
 *
 * The names are listed here; every value comes from the system headers
 * when the module is compiled, and a name the headers do not define is
 * left out, so the module builds on every architecture and libc.
 * lsc_open_constants puts them in the module table as `constants`:
 * constants.O.WRONLY, constants.IOCTL.TIOCGWINSZ, constants.E.EPERM
 * (and constants.E[1] == "EPERM"), constants.SIG.SIGSYS (and back).
 * It also adds personality(), which reads (or sets) the persona flags:
 * the policy layer checks PER.READ_IMPLIES_EXEC, which makes every
 * readable mapping executable.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sched.h>
#include <netinet/in.h>
#include <linux/fs.h>
#include <linux/netlink.h>

#include "lua_seccomp.h"


typedef struct lsc_const {
    const char *name;
    lua_Integer value;
} lsc_const;

static const lsc_const o_constants[] = {
#ifdef O_RDONLY
    { "RDONLY", O_RDONLY },
#endif
#ifdef O_WRONLY
    { "WRONLY", O_WRONLY },
#endif
#ifdef O_RDWR
    { "RDWR", O_RDWR },
#endif
#ifdef O_ACCMODE
    { "ACCMODE", O_ACCMODE },
#endif
#ifdef O_CREAT
    { "CREAT", O_CREAT },
#endif
#ifdef O_EXCL
    { "EXCL", O_EXCL },
#endif
#ifdef O_NOCTTY
    { "NOCTTY", O_NOCTTY },
#endif
#ifdef O_TRUNC
    { "TRUNC", O_TRUNC },
#endif
#ifdef O_APPEND
    { "APPEND", O_APPEND },
#endif
#ifdef O_NONBLOCK
    { "NONBLOCK", O_NONBLOCK },
#endif
#ifdef O_NDELAY
    { "NDELAY", O_NDELAY },
#endif
#ifdef O_DSYNC
    { "DSYNC", O_DSYNC },
#endif
#ifdef O_SYNC
    { "SYNC", O_SYNC },
#endif
#ifdef O_RSYNC
    { "RSYNC", O_RSYNC },
#endif
#ifdef O_ASYNC
    { "ASYNC", O_ASYNC },
#endif
#ifdef O_DIRECT
    { "DIRECT", O_DIRECT },
#endif
#ifdef O_LARGEFILE
    { "LARGEFILE", O_LARGEFILE },
#endif
#ifdef O_DIRECTORY
    { "DIRECTORY", O_DIRECTORY },
#endif
#ifdef O_NOFOLLOW
    { "NOFOLLOW", O_NOFOLLOW },
#endif
#ifdef O_NOATIME
    { "NOATIME", O_NOATIME },
#endif
#ifdef O_CLOEXEC
    { "CLOEXEC", O_CLOEXEC },
#endif
#ifdef O_PATH
    { "PATH", O_PATH },
#endif
#ifdef O_TMPFILE
    { "TMPFILE", O_TMPFILE },
#endif
    { NULL, 0 }
};

static const lsc_const at_constants[] = {
#ifdef AT_FDCWD
    { "FDCWD", AT_FDCWD },
#endif
#ifdef AT_SYMLINK_NOFOLLOW
    { "SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW },
#endif
#ifdef AT_SYMLINK_FOLLOW
    { "SYMLINK_FOLLOW", AT_SYMLINK_FOLLOW },
#endif
#ifdef AT_REMOVEDIR
    { "REMOVEDIR", AT_REMOVEDIR },
#endif
#ifdef AT_EACCESS
    { "EACCESS", AT_EACCESS },
#endif
#ifdef AT_NO_AUTOMOUNT
    { "NO_AUTOMOUNT", AT_NO_AUTOMOUNT },
#endif
#ifdef AT_EMPTY_PATH
    { "EMPTY_PATH", AT_EMPTY_PATH },
#endif
#ifdef AT_STATX_SYNC_TYPE
    { "STATX_SYNC_TYPE", AT_STATX_SYNC_TYPE },
#endif
#ifdef AT_STATX_SYNC_AS_STAT
    { "STATX_SYNC_AS_STAT", AT_STATX_SYNC_AS_STAT },
#endif
#ifdef AT_STATX_FORCE_SYNC
    { "STATX_FORCE_SYNC", AT_STATX_FORCE_SYNC },
#endif
#ifdef AT_STATX_DONT_SYNC
    { "STATX_DONT_SYNC", AT_STATX_DONT_SYNC },
#endif
#ifdef AT_RECURSIVE
    { "RECURSIVE", AT_RECURSIVE },
#endif
    { NULL, 0 }
};

static const lsc_const prot_constants[] = {
#ifdef PROT_NONE
    { "NONE", PROT_NONE },
#endif
#ifdef PROT_READ
    { "READ", PROT_READ },
#endif
#ifdef PROT_WRITE
    { "WRITE", PROT_WRITE },
#endif
#ifdef PROT_EXEC
    { "EXEC", PROT_EXEC },
#endif
#ifdef PROT_SEM
    { "SEM", PROT_SEM },
#endif
#ifdef PROT_GROWSDOWN
    { "GROWSDOWN", PROT_GROWSDOWN },
#endif
#ifdef PROT_GROWSUP
    { "GROWSUP", PROT_GROWSUP },
#endif
    { NULL, 0 }
};

static const lsc_const map_constants[] = {
#ifdef MAP_SHARED
    { "SHARED", MAP_SHARED },
#endif
#ifdef MAP_PRIVATE
    { "PRIVATE", MAP_PRIVATE },
#endif
#ifdef MAP_SHARED_VALIDATE
    { "SHARED_VALIDATE", MAP_SHARED_VALIDATE },
#endif
#ifdef MAP_TYPE
    { "TYPE", MAP_TYPE },
#endif
#ifdef MAP_FIXED
    { "FIXED", MAP_FIXED },
#endif
#ifdef MAP_ANONYMOUS
    { "ANONYMOUS", MAP_ANONYMOUS },
#endif
#ifdef MAP_ANON
    { "ANON", MAP_ANON },
#endif
#ifdef MAP_32BIT
    { "32BIT", MAP_32BIT },
#endif
#ifdef MAP_GROWSDOWN
    { "GROWSDOWN", MAP_GROWSDOWN },
#endif
#ifdef MAP_DENYWRITE
    { "DENYWRITE", MAP_DENYWRITE },
#endif
#ifdef MAP_EXECUTABLE
    { "EXECUTABLE", MAP_EXECUTABLE },
#endif
#ifdef MAP_LOCKED
    { "LOCKED", MAP_LOCKED },
#endif
#ifdef MAP_NORESERVE
    { "NORESERVE", MAP_NORESERVE },
#endif
#ifdef MAP_POPULATE
    { "POPULATE", MAP_POPULATE },
#endif
#ifdef MAP_NONBLOCK
    { "NONBLOCK", MAP_NONBLOCK },
#endif
#ifdef MAP_STACK
    { "STACK", MAP_STACK },
#endif
#ifdef MAP_HUGETLB
    { "HUGETLB", MAP_HUGETLB },
#endif
#ifdef MAP_SYNC
    { "SYNC", MAP_SYNC },
#endif
#ifdef MAP_FIXED_NOREPLACE
    { "FIXED_NOREPLACE", MAP_FIXED_NOREPLACE },
#endif
#ifdef MAP_UNINITIALIZED
    { "UNINITIALIZED", MAP_UNINITIALIZED },
#endif
    { NULL, 0 }
};

static const lsc_const af_constants[] = {
#ifdef AF_UNSPEC
    { "UNSPEC", AF_UNSPEC },
#endif
#ifdef AF_UNIX
    { "UNIX", AF_UNIX },
#endif
#ifdef AF_LOCAL
    { "LOCAL", AF_LOCAL },
#endif
#ifdef AF_INET
    { "INET", AF_INET },
#endif
#ifdef AF_AX25
    { "AX25", AF_AX25 },
#endif
#ifdef AF_IPX
    { "IPX", AF_IPX },
#endif
#ifdef AF_APPLETALK
    { "APPLETALK", AF_APPLETALK },
#endif
#ifdef AF_NETROM
    { "NETROM", AF_NETROM },
#endif
#ifdef AF_BRIDGE
    { "BRIDGE", AF_BRIDGE },
#endif
#ifdef AF_ATMPVC
    { "ATMPVC", AF_ATMPVC },
#endif
#ifdef AF_X25
    { "X25", AF_X25 },
#endif
#ifdef AF_INET6
    { "INET6", AF_INET6 },
#endif
#ifdef AF_ROSE
    { "ROSE", AF_ROSE },
#endif
#ifdef AF_DECnet
    { "DECnet", AF_DECnet },
#endif
#ifdef AF_NETBEUI
    { "NETBEUI", AF_NETBEUI },
#endif
#ifdef AF_SECURITY
    { "SECURITY", AF_SECURITY },
#endif
#ifdef AF_KEY
    { "KEY", AF_KEY },
#endif
#ifdef AF_NETLINK
    { "NETLINK", AF_NETLINK },
#endif
#ifdef AF_ROUTE
    { "ROUTE", AF_ROUTE },
#endif
#ifdef AF_PACKET
    { "PACKET", AF_PACKET },
#endif
#ifdef AF_ASH
    { "ASH", AF_ASH },
#endif
#ifdef AF_ECONET
    { "ECONET", AF_ECONET },
#endif
#ifdef AF_ATMSVC
    { "ATMSVC", AF_ATMSVC },
#endif
#ifdef AF_RDS
    { "RDS", AF_RDS },
#endif
#ifdef AF_SNA
    { "SNA", AF_SNA },
#endif
#ifdef AF_IRDA
    { "IRDA", AF_IRDA },
#endif
#ifdef AF_PPPOX
    { "PPPOX", AF_PPPOX },
#endif
#ifdef AF_WANPIPE
    { "WANPIPE", AF_WANPIPE },
#endif
#ifdef AF_LLC
    { "LLC", AF_LLC },
#endif
#ifdef AF_IB
    { "IB", AF_IB },
#endif
#ifdef AF_MPLS
    { "MPLS", AF_MPLS },
#endif
#ifdef AF_CAN
    { "CAN", AF_CAN },
#endif
#ifdef AF_TIPC
    { "TIPC", AF_TIPC },
#endif
#ifdef AF_BLUETOOTH
    { "BLUETOOTH", AF_BLUETOOTH },
#endif
#ifdef AF_IUCV
    { "IUCV", AF_IUCV },
#endif
#ifdef AF_RXRPC
    { "RXRPC", AF_RXRPC },
#endif
#ifdef AF_ISDN
    { "ISDN", AF_ISDN },
#endif
#ifdef AF_PHONET
    { "PHONET", AF_PHONET },
#endif
#ifdef AF_IEEE802154
    { "IEEE802154", AF_IEEE802154 },
#endif
#ifdef AF_CAIF
    { "CAIF", AF_CAIF },
#endif
#ifdef AF_ALG
    { "ALG", AF_ALG },
#endif
#ifdef AF_NFC
    { "NFC", AF_NFC },
#endif
#ifdef AF_VSOCK
    { "VSOCK", AF_VSOCK },
#endif
#ifdef AF_KCM
    { "KCM", AF_KCM },
#endif
#ifdef AF_QIPCRTR
    { "QIPCRTR", AF_QIPCRTR },
#endif
#ifdef AF_SMC
    { "SMC", AF_SMC },
#endif
#ifdef AF_XDP
    { "XDP", AF_XDP },
#endif
#ifdef AF_MCTP
    { "MCTP", AF_MCTP },
#endif
    { NULL, 0 }
};

static const lsc_const sock_constants[] = {
#ifdef SOCK_STREAM
    { "STREAM", SOCK_STREAM },
#endif
#ifdef SOCK_DGRAM
    { "DGRAM", SOCK_DGRAM },
#endif
#ifdef SOCK_RAW
    { "RAW", SOCK_RAW },
#endif
#ifdef SOCK_RDM
    { "RDM", SOCK_RDM },
#endif
#ifdef SOCK_SEQPACKET
    { "SEQPACKET", SOCK_SEQPACKET },
#endif
#ifdef SOCK_DCCP
    { "DCCP", SOCK_DCCP },
#endif
#ifdef SOCK_PACKET
    { "PACKET", SOCK_PACKET },
#endif
#ifdef SOCK_CLOEXEC
    { "CLOEXEC", SOCK_CLOEXEC },
#endif
#ifdef SOCK_NONBLOCK
    { "NONBLOCK", SOCK_NONBLOCK },
#endif
    { NULL, 0 }
};

static const lsc_const clone_constants[] = {
#ifdef CLONE_VM
    { "VM", CLONE_VM },
#endif
#ifdef CLONE_FS
    { "FS", CLONE_FS },
#endif
#ifdef CLONE_FILES
    { "FILES", CLONE_FILES },
#endif
#ifdef CLONE_SIGHAND
    { "SIGHAND", CLONE_SIGHAND },
#endif
#ifdef CLONE_PIDFD
    { "PIDFD", CLONE_PIDFD },
#endif
#ifdef CLONE_PTRACE
    { "PTRACE", CLONE_PTRACE },
#endif
#ifdef CLONE_VFORK
    { "VFORK", CLONE_VFORK },
#endif
#ifdef CLONE_PARENT
    { "PARENT", CLONE_PARENT },
#endif
#ifdef CLONE_THREAD
    { "THREAD", CLONE_THREAD },
#endif
#ifdef CLONE_NEWNS
    { "NEWNS", CLONE_NEWNS },
#endif
#ifdef CLONE_SYSVSEM
    { "SYSVSEM", CLONE_SYSVSEM },
#endif
#ifdef CLONE_SETTLS
    { "SETTLS", CLONE_SETTLS },
#endif
#ifdef CLONE_PARENT_SETTID
    { "PARENT_SETTID", CLONE_PARENT_SETTID },
#endif
#ifdef CLONE_CHILD_CLEARTID
    { "CHILD_CLEARTID", CLONE_CHILD_CLEARTID },
#endif
#ifdef CLONE_DETACHED
    { "DETACHED", CLONE_DETACHED },
#endif
#ifdef CLONE_UNTRACED
    { "UNTRACED", CLONE_UNTRACED },
#endif
#ifdef CLONE_CHILD_SETTID
    { "CHILD_SETTID", CLONE_CHILD_SETTID },
#endif
#ifdef CLONE_NEWCGROUP
    { "NEWCGROUP", CLONE_NEWCGROUP },
#endif
#ifdef CLONE_NEWUTS
    { "NEWUTS", CLONE_NEWUTS },
#endif
#ifdef CLONE_NEWIPC
    { "NEWIPC", CLONE_NEWIPC },
#endif
#ifdef CLONE_NEWUSER
    { "NEWUSER", CLONE_NEWUSER },
#endif
#ifdef CLONE_NEWPID
    { "NEWPID", CLONE_NEWPID },
#endif
#ifdef CLONE_NEWNET
    { "NEWNET", CLONE_NEWNET },
#endif
#ifdef CLONE_IO
    { "IO", CLONE_IO },
#endif
#ifdef CLONE_NEWTIME
    { "NEWTIME", CLONE_NEWTIME },
#endif
#ifdef CLONE_CLEAR_SIGHAND
    { "CLEAR_SIGHAND", CLONE_CLEAR_SIGHAND },
#endif
#ifdef CLONE_INTO_CGROUP
    { "INTO_CGROUP", CLONE_INTO_CGROUP },
#endif
    { NULL, 0 }
};

static const lsc_const f_constants[] = {
#ifdef F_DUPFD
    { "DUPFD", F_DUPFD },
#endif
#ifdef F_GETFD
    { "GETFD", F_GETFD },
#endif
#ifdef F_SETFD
    { "SETFD", F_SETFD },
#endif
#ifdef F_GETFL
    { "GETFL", F_GETFL },
#endif
#ifdef F_SETFL
    { "SETFL", F_SETFL },
#endif
#ifdef F_GETLK
    { "GETLK", F_GETLK },
#endif
#ifdef F_SETLK
    { "SETLK", F_SETLK },
#endif
#ifdef F_SETLKW
    { "SETLKW", F_SETLKW },
#endif
#ifdef F_GETLK64
    { "GETLK64", F_GETLK64 },
#endif
#ifdef F_SETLK64
    { "SETLK64", F_SETLK64 },
#endif
#ifdef F_SETLKW64
    { "SETLKW64", F_SETLKW64 },
#endif
#ifdef F_SETOWN
    { "SETOWN", F_SETOWN },
#endif
#ifdef F_GETOWN
    { "GETOWN", F_GETOWN },
#endif
#ifdef F_SETSIG
    { "SETSIG", F_SETSIG },
#endif
#ifdef F_GETSIG
    { "GETSIG", F_GETSIG },
#endif
#ifdef F_SETOWN_EX
    { "SETOWN_EX", F_SETOWN_EX },
#endif
#ifdef F_GETOWN_EX
    { "GETOWN_EX", F_GETOWN_EX },
#endif
#ifdef F_OFD_GETLK
    { "OFD_GETLK", F_OFD_GETLK },
#endif
#ifdef F_OFD_SETLK
    { "OFD_SETLK", F_OFD_SETLK },
#endif
#ifdef F_OFD_SETLKW
    { "OFD_SETLKW", F_OFD_SETLKW },
#endif
#ifdef F_SETLEASE
    { "SETLEASE", F_SETLEASE },
#endif
#ifdef F_GETLEASE
    { "GETLEASE", F_GETLEASE },
#endif
#ifdef F_NOTIFY
    { "NOTIFY", F_NOTIFY },
#endif
#ifdef F_DUPFD_CLOEXEC
    { "DUPFD_CLOEXEC", F_DUPFD_CLOEXEC },
#endif
#ifdef F_SETPIPE_SZ
    { "SETPIPE_SZ", F_SETPIPE_SZ },
#endif
#ifdef F_GETPIPE_SZ
    { "GETPIPE_SZ", F_GETPIPE_SZ },
#endif
#ifdef F_ADD_SEALS
    { "ADD_SEALS", F_ADD_SEALS },
#endif
#ifdef F_GET_SEALS
    { "GET_SEALS", F_GET_SEALS },
#endif
#ifdef F_GET_RW_HINT
    { "GET_RW_HINT", F_GET_RW_HINT },
#endif
#ifdef F_SET_RW_HINT
    { "SET_RW_HINT", F_SET_RW_HINT },
#endif
#ifdef F_GET_FILE_RW_HINT
    { "GET_FILE_RW_HINT", F_GET_FILE_RW_HINT },
#endif
#ifdef F_SET_FILE_RW_HINT
    { "SET_FILE_RW_HINT", F_SET_FILE_RW_HINT },
#endif
#ifdef F_RDLCK
    { "RDLCK", F_RDLCK },
#endif
#ifdef F_WRLCK
    { "WRLCK", F_WRLCK },
#endif
#ifdef F_UNLCK
    { "UNLCK", F_UNLCK },
#endif
    { NULL, 0 }
};

static const lsc_const ioctl_constants[] = {
#ifdef TCGETS
    { "TCGETS", TCGETS },
#endif
#ifdef TCSETS
    { "TCSETS", TCSETS },
#endif
#ifdef TCSETSW
    { "TCSETSW", TCSETSW },
#endif
#ifdef TCSETSF
    { "TCSETSF", TCSETSF },
#endif
#ifdef TCGETA
    { "TCGETA", TCGETA },
#endif
#ifdef TCSETA
    { "TCSETA", TCSETA },
#endif
#ifdef TCSETAW
    { "TCSETAW", TCSETAW },
#endif
#ifdef TCSETAF
    { "TCSETAF", TCSETAF },
#endif
#ifdef TCSBRK
    { "TCSBRK", TCSBRK },
#endif
#ifdef TCXONC
    { "TCXONC", TCXONC },
#endif
#ifdef TCFLSH
    { "TCFLSH", TCFLSH },
#endif
#ifdef TCSBRKP
    { "TCSBRKP", TCSBRKP },
#endif
#ifdef TIOCEXCL
    { "TIOCEXCL", TIOCEXCL },
#endif
#ifdef TIOCNXCL
    { "TIOCNXCL", TIOCNXCL },
#endif
#ifdef TIOCGEXCL
    { "TIOCGEXCL", TIOCGEXCL },
#endif
#ifdef TIOCSCTTY
    { "TIOCSCTTY", TIOCSCTTY },
#endif
#ifdef TIOCNOTTY
    { "TIOCNOTTY", TIOCNOTTY },
#endif
#ifdef TIOCGPGRP
    { "TIOCGPGRP", TIOCGPGRP },
#endif
#ifdef TIOCSPGRP
    { "TIOCSPGRP", TIOCSPGRP },
#endif
#ifdef TIOCGSID
    { "TIOCGSID", TIOCGSID },
#endif
#ifdef TIOCOUTQ
    { "TIOCOUTQ", TIOCOUTQ },
#endif
#ifdef TIOCINQ
    { "TIOCINQ", TIOCINQ },
#endif
#ifdef TIOCSTI
    { "TIOCSTI", TIOCSTI },
#endif
#ifdef TIOCGWINSZ
    { "TIOCGWINSZ", TIOCGWINSZ },
#endif
#ifdef TIOCSWINSZ
    { "TIOCSWINSZ", TIOCSWINSZ },
#endif
#ifdef TIOCMGET
    { "TIOCMGET", TIOCMGET },
#endif
#ifdef TIOCMBIS
    { "TIOCMBIS", TIOCMBIS },
#endif
#ifdef TIOCMBIC
    { "TIOCMBIC", TIOCMBIC },
#endif
#ifdef TIOCMSET
    { "TIOCMSET", TIOCMSET },
#endif
#ifdef TIOCGSOFTCAR
    { "TIOCGSOFTCAR", TIOCGSOFTCAR },
#endif
#ifdef TIOCSSOFTCAR
    { "TIOCSSOFTCAR", TIOCSSOFTCAR },
#endif
#ifdef TIOCLINUX
    { "TIOCLINUX", TIOCLINUX },
#endif
#ifdef TIOCCONS
    { "TIOCCONS", TIOCCONS },
#endif
#ifdef TIOCPKT
    { "TIOCPKT", TIOCPKT },
#endif
#ifdef TIOCGPKT
    { "TIOCGPKT", TIOCGPKT },
#endif
#ifdef TIOCSETD
    { "TIOCSETD", TIOCSETD },
#endif
#ifdef TIOCGETD
    { "TIOCGETD", TIOCGETD },
#endif
#ifdef TIOCSBRK
    { "TIOCSBRK", TIOCSBRK },
#endif
#ifdef TIOCCBRK
    { "TIOCCBRK", TIOCCBRK },
#endif
#ifdef TIOCGPTN
    { "TIOCGPTN", TIOCGPTN },
#endif
#ifdef TIOCSPTLCK
    { "TIOCSPTLCK", TIOCSPTLCK },
#endif
#ifdef TIOCGPTLCK
    { "TIOCGPTLCK", TIOCGPTLCK },
#endif
#ifdef TIOCGPTPEER
    { "TIOCGPTPEER", TIOCGPTPEER },
#endif
#ifdef TIOCGDEV
    { "TIOCGDEV", TIOCGDEV },
#endif
#ifdef TIOCSIG
    { "TIOCSIG", TIOCSIG },
#endif
#ifdef TIOCVHANGUP
    { "TIOCVHANGUP", TIOCVHANGUP },
#endif
#ifdef TIOCGLCKTRMIOS
    { "TIOCGLCKTRMIOS", TIOCGLCKTRMIOS },
#endif
#ifdef TIOCSLCKTRMIOS
    { "TIOCSLCKTRMIOS", TIOCSLCKTRMIOS },
#endif
#ifdef TIOCGSERIAL
    { "TIOCGSERIAL", TIOCGSERIAL },
#endif
#ifdef TIOCSSERIAL
    { "TIOCSSERIAL", TIOCSSERIAL },
#endif
#ifdef TIOCGRS485
    { "TIOCGRS485", TIOCGRS485 },
#endif
#ifdef TIOCSRS485
    { "TIOCSRS485", TIOCSRS485 },
#endif
#ifdef TIOCGICOUNT
    { "TIOCGICOUNT", TIOCGICOUNT },
#endif
#ifdef TIOCMIWAIT
    { "TIOCMIWAIT", TIOCMIWAIT },
#endif
#ifdef TIOCSERGETLSR
    { "TIOCSERGETLSR", TIOCSERGETLSR },
#endif
#ifdef FIONREAD
    { "FIONREAD", FIONREAD },
#endif
#ifdef FIONBIO
    { "FIONBIO", FIONBIO },
#endif
#ifdef FIOCLEX
    { "FIOCLEX", FIOCLEX },
#endif
#ifdef FIONCLEX
    { "FIONCLEX", FIONCLEX },
#endif
#ifdef FIOASYNC
    { "FIOASYNC", FIOASYNC },
#endif
#ifdef FIOQSIZE
    { "FIOQSIZE", FIOQSIZE },
#endif
#ifdef FIGETBSZ
    { "FIGETBSZ", FIGETBSZ },
#endif
#ifdef FIBMAP
    { "FIBMAP", FIBMAP },
#endif
#ifdef FICLONE
    { "FICLONE", FICLONE },
#endif
#ifdef FICLONERANGE
    { "FICLONERANGE", FICLONERANGE },
#endif
#ifdef FIDEDUPERANGE
    { "FIDEDUPERANGE", FIDEDUPERANGE },
#endif
#ifdef FIFREEZE
    { "FIFREEZE", FIFREEZE },
#endif
#ifdef FITHAW
    { "FITHAW", FITHAW },
#endif
#ifdef FITRIM
    { "FITRIM", FITRIM },
#endif
#ifdef SIOCATMARK
    { "SIOCATMARK", SIOCATMARK },
#endif
#ifdef SIOCGPGRP
    { "SIOCGPGRP", SIOCGPGRP },
#endif
#ifdef SIOCSPGRP
    { "SIOCSPGRP", SIOCSPGRP },
#endif
    { NULL, 0 }
};

static const lsc_const s_constants[] = {
#ifdef S_IFMT
    { "IFMT", S_IFMT },
#endif
#ifdef S_IFSOCK
    { "IFSOCK", S_IFSOCK },
#endif
#ifdef S_IFLNK
    { "IFLNK", S_IFLNK },
#endif
#ifdef S_IFREG
    { "IFREG", S_IFREG },
#endif
#ifdef S_IFBLK
    { "IFBLK", S_IFBLK },
#endif
#ifdef S_IFDIR
    { "IFDIR", S_IFDIR },
#endif
#ifdef S_IFCHR
    { "IFCHR", S_IFCHR },
#endif
#ifdef S_IFIFO
    { "IFIFO", S_IFIFO },
#endif
#ifdef S_ISUID
    { "ISUID", S_ISUID },
#endif
#ifdef S_ISGID
    { "ISGID", S_ISGID },
#endif
#ifdef S_ISVTX
    { "ISVTX", S_ISVTX },
#endif
#ifdef S_IRWXU
    { "IRWXU", S_IRWXU },
#endif
#ifdef S_IRUSR
    { "IRUSR", S_IRUSR },
#endif
#ifdef S_IWUSR
    { "IWUSR", S_IWUSR },
#endif
#ifdef S_IXUSR
    { "IXUSR", S_IXUSR },
#endif
#ifdef S_IRWXG
    { "IRWXG", S_IRWXG },
#endif
#ifdef S_IRGRP
    { "IRGRP", S_IRGRP },
#endif
#ifdef S_IWGRP
    { "IWGRP", S_IWGRP },
#endif
#ifdef S_IXGRP
    { "IXGRP", S_IXGRP },
#endif
#ifdef S_IRWXO
    { "IRWXO", S_IRWXO },
#endif
#ifdef S_IROTH
    { "IROTH", S_IROTH },
#endif
#ifdef S_IWOTH
    { "IWOTH", S_IWOTH },
#endif
#ifdef S_IXOTH
    { "IXOTH", S_IXOTH },
#endif
    { NULL, 0 }
};

static const lsc_const pr_constants[] = {
#ifdef PR_SET_PDEATHSIG
    { "SET_PDEATHSIG", PR_SET_PDEATHSIG },
#endif
#ifdef PR_GET_PDEATHSIG
    { "GET_PDEATHSIG", PR_GET_PDEATHSIG },
#endif
#ifdef PR_GET_DUMPABLE
    { "GET_DUMPABLE", PR_GET_DUMPABLE },
#endif
#ifdef PR_SET_DUMPABLE
    { "SET_DUMPABLE", PR_SET_DUMPABLE },
#endif
#ifdef PR_SET_NAME
    { "SET_NAME", PR_SET_NAME },
#endif
#ifdef PR_GET_NAME
    { "GET_NAME", PR_GET_NAME },
#endif
#ifdef PR_GET_SECCOMP
    { "GET_SECCOMP", PR_GET_SECCOMP },
#endif
#ifdef PR_SET_SECCOMP
    { "SET_SECCOMP", PR_SET_SECCOMP },
#endif
#ifdef PR_SET_NO_NEW_PRIVS
    { "SET_NO_NEW_PRIVS", PR_SET_NO_NEW_PRIVS },
#endif
#ifdef PR_GET_NO_NEW_PRIVS
    { "GET_NO_NEW_PRIVS", PR_GET_NO_NEW_PRIVS },
#endif
#ifdef PR_SET_KEEPCAPS
    { "SET_KEEPCAPS", PR_SET_KEEPCAPS },
#endif
#ifdef PR_GET_KEEPCAPS
    { "GET_KEEPCAPS", PR_GET_KEEPCAPS },
#endif
#ifdef PR_CAPBSET_READ
    { "CAPBSET_READ", PR_CAPBSET_READ },
#endif
#ifdef PR_CAPBSET_DROP
    { "CAPBSET_DROP", PR_CAPBSET_DROP },
#endif
#ifdef PR_SET_CHILD_SUBREAPER
    { "SET_CHILD_SUBREAPER", PR_SET_CHILD_SUBREAPER },
#endif
#ifdef PR_GET_CHILD_SUBREAPER
    { "GET_CHILD_SUBREAPER", PR_GET_CHILD_SUBREAPER },
#endif
#ifdef PR_GET_TID_ADDRESS
    { "GET_TID_ADDRESS", PR_GET_TID_ADDRESS },
#endif
#ifdef PR_SET_TIMERSLACK
    { "SET_TIMERSLACK", PR_SET_TIMERSLACK },
#endif
#ifdef PR_GET_TIMERSLACK
    { "GET_TIMERSLACK", PR_GET_TIMERSLACK },
#endif
#ifdef PR_SET_MM
    { "SET_MM", PR_SET_MM },
#endif
#ifdef PR_CAP_AMBIENT
    { "CAP_AMBIENT", PR_CAP_AMBIENT },
#endif
#ifdef PR_SET_VMA
    { "SET_VMA", PR_SET_VMA },
#endif
    { NULL, 0 }
};

static const lsc_const sig_constants[] = {
#ifdef SIGHUP
    { "SIGHUP", SIGHUP },
#endif
#ifdef SIGINT
    { "SIGINT", SIGINT },
#endif
#ifdef SIGQUIT
    { "SIGQUIT", SIGQUIT },
#endif
#ifdef SIGILL
    { "SIGILL", SIGILL },
#endif
#ifdef SIGTRAP
    { "SIGTRAP", SIGTRAP },
#endif
#ifdef SIGABRT
    { "SIGABRT", SIGABRT },
#endif
#ifdef SIGIOT
    { "SIGIOT", SIGIOT },
#endif
#ifdef SIGBUS
    { "SIGBUS", SIGBUS },
#endif
#ifdef SIGFPE
    { "SIGFPE", SIGFPE },
#endif
#ifdef SIGKILL
    { "SIGKILL", SIGKILL },
#endif
#ifdef SIGUSR1
    { "SIGUSR1", SIGUSR1 },
#endif
#ifdef SIGSEGV
    { "SIGSEGV", SIGSEGV },
#endif
#ifdef SIGUSR2
    { "SIGUSR2", SIGUSR2 },
#endif
#ifdef SIGPIPE
    { "SIGPIPE", SIGPIPE },
#endif
#ifdef SIGALRM
    { "SIGALRM", SIGALRM },
#endif
#ifdef SIGTERM
    { "SIGTERM", SIGTERM },
#endif
#ifdef SIGSTKFLT
    { "SIGSTKFLT", SIGSTKFLT },
#endif
#ifdef SIGCHLD
    { "SIGCHLD", SIGCHLD },
#endif
#ifdef SIGCONT
    { "SIGCONT", SIGCONT },
#endif
#ifdef SIGSTOP
    { "SIGSTOP", SIGSTOP },
#endif
#ifdef SIGTSTP
    { "SIGTSTP", SIGTSTP },
#endif
#ifdef SIGTTIN
    { "SIGTTIN", SIGTTIN },
#endif
#ifdef SIGTTOU
    { "SIGTTOU", SIGTTOU },
#endif
#ifdef SIGURG
    { "SIGURG", SIGURG },
#endif
#ifdef SIGXCPU
    { "SIGXCPU", SIGXCPU },
#endif
#ifdef SIGXFSZ
    { "SIGXFSZ", SIGXFSZ },
#endif
#ifdef SIGVTALRM
    { "SIGVTALRM", SIGVTALRM },
#endif
#ifdef SIGPROF
    { "SIGPROF", SIGPROF },
#endif
#ifdef SIGWINCH
    { "SIGWINCH", SIGWINCH },
#endif
#ifdef SIGIO
    { "SIGIO", SIGIO },
#endif
#ifdef SIGPOLL
    { "SIGPOLL", SIGPOLL },
#endif
#ifdef SIGPWR
    { "SIGPWR", SIGPWR },
#endif
#ifdef SIGSYS
    { "SIGSYS", SIGSYS },
#endif
    { NULL, 0 }
};

static const lsc_const e_constants[] = {
#ifdef EPERM
    { "EPERM", EPERM },
#endif
#ifdef ENOENT
    { "ENOENT", ENOENT },
#endif
#ifdef ESRCH
    { "ESRCH", ESRCH },
#endif
#ifdef EINTR
    { "EINTR", EINTR },
#endif
#ifdef EIO
    { "EIO", EIO },
#endif
#ifdef ENXIO
    { "ENXIO", ENXIO },
#endif
#ifdef E2BIG
    { "E2BIG", E2BIG },
#endif
#ifdef ENOEXEC
    { "ENOEXEC", ENOEXEC },
#endif
#ifdef EBADF
    { "EBADF", EBADF },
#endif
#ifdef ECHILD
    { "ECHILD", ECHILD },
#endif
#ifdef EAGAIN
    { "EAGAIN", EAGAIN },
#endif
#ifdef ENOMEM
    { "ENOMEM", ENOMEM },
#endif
#ifdef EACCES
    { "EACCES", EACCES },
#endif
#ifdef EFAULT
    { "EFAULT", EFAULT },
#endif
#ifdef ENOTBLK
    { "ENOTBLK", ENOTBLK },
#endif
#ifdef EBUSY
    { "EBUSY", EBUSY },
#endif
#ifdef EEXIST
    { "EEXIST", EEXIST },
#endif
#ifdef EXDEV
    { "EXDEV", EXDEV },
#endif
#ifdef ENODEV
    { "ENODEV", ENODEV },
#endif
#ifdef ENOTDIR
    { "ENOTDIR", ENOTDIR },
#endif
#ifdef EISDIR
    { "EISDIR", EISDIR },
#endif
#ifdef EINVAL
    { "EINVAL", EINVAL },
#endif
#ifdef ENFILE
    { "ENFILE", ENFILE },
#endif
#ifdef EMFILE
    { "EMFILE", EMFILE },
#endif
#ifdef ENOTTY
    { "ENOTTY", ENOTTY },
#endif
#ifdef ETXTBSY
    { "ETXTBSY", ETXTBSY },
#endif
#ifdef EFBIG
    { "EFBIG", EFBIG },
#endif
#ifdef ENOSPC
    { "ENOSPC", ENOSPC },
#endif
#ifdef ESPIPE
    { "ESPIPE", ESPIPE },
#endif
#ifdef EROFS
    { "EROFS", EROFS },
#endif
#ifdef EMLINK
    { "EMLINK", EMLINK },
#endif
#ifdef EPIPE
    { "EPIPE", EPIPE },
#endif
#ifdef EDOM
    { "EDOM", EDOM },
#endif
#ifdef ERANGE
    { "ERANGE", ERANGE },
#endif
#ifdef EDEADLK
    { "EDEADLK", EDEADLK },
#endif
#ifdef ENAMETOOLONG
    { "ENAMETOOLONG", ENAMETOOLONG },
#endif
#ifdef ENOLCK
    { "ENOLCK", ENOLCK },
#endif
#ifdef ENOSYS
    { "ENOSYS", ENOSYS },
#endif
#ifdef ENOTEMPTY
    { "ENOTEMPTY", ENOTEMPTY },
#endif
#ifdef ELOOP
    { "ELOOP", ELOOP },
#endif
#ifdef ENOMSG
    { "ENOMSG", ENOMSG },
#endif
#ifdef EIDRM
    { "EIDRM", EIDRM },
#endif
#ifdef ECHRNG
    { "ECHRNG", ECHRNG },
#endif
#ifdef EL2NSYNC
    { "EL2NSYNC", EL2NSYNC },
#endif
#ifdef EL3HLT
    { "EL3HLT", EL3HLT },
#endif
#ifdef EL3RST
    { "EL3RST", EL3RST },
#endif
#ifdef ELNRNG
    { "ELNRNG", ELNRNG },
#endif
#ifdef EUNATCH
    { "EUNATCH", EUNATCH },
#endif
#ifdef ENOCSI
    { "ENOCSI", ENOCSI },
#endif
#ifdef EL2HLT
    { "EL2HLT", EL2HLT },
#endif
#ifdef EBADE
    { "EBADE", EBADE },
#endif
#ifdef EBADR
    { "EBADR", EBADR },
#endif
#ifdef EXFULL
    { "EXFULL", EXFULL },
#endif
#ifdef ENOANO
    { "ENOANO", ENOANO },
#endif
#ifdef EBADRQC
    { "EBADRQC", EBADRQC },
#endif
#ifdef EBADSLT
    { "EBADSLT", EBADSLT },
#endif
#ifdef EBFONT
    { "EBFONT", EBFONT },
#endif
#ifdef ENOSTR
    { "ENOSTR", ENOSTR },
#endif
#ifdef ENODATA
    { "ENODATA", ENODATA },
#endif
#ifdef ETIME
    { "ETIME", ETIME },
#endif
#ifdef ENOSR
    { "ENOSR", ENOSR },
#endif
#ifdef ENONET
    { "ENONET", ENONET },
#endif
#ifdef ENOPKG
    { "ENOPKG", ENOPKG },
#endif
#ifdef EREMOTE
    { "EREMOTE", EREMOTE },
#endif
#ifdef ENOLINK
    { "ENOLINK", ENOLINK },
#endif
#ifdef EADV
    { "EADV", EADV },
#endif
#ifdef ESRMNT
    { "ESRMNT", ESRMNT },
#endif
#ifdef ECOMM
    { "ECOMM", ECOMM },
#endif
#ifdef EPROTO
    { "EPROTO", EPROTO },
#endif
#ifdef EMULTIHOP
    { "EMULTIHOP", EMULTIHOP },
#endif
#ifdef EDOTDOT
    { "EDOTDOT", EDOTDOT },
#endif
#ifdef EBADMSG
    { "EBADMSG", EBADMSG },
#endif
#ifdef EOVERFLOW
    { "EOVERFLOW", EOVERFLOW },
#endif
#ifdef ENOTUNIQ
    { "ENOTUNIQ", ENOTUNIQ },
#endif
#ifdef EBADFD
    { "EBADFD", EBADFD },
#endif
#ifdef EREMCHG
    { "EREMCHG", EREMCHG },
#endif
#ifdef ELIBACC
    { "ELIBACC", ELIBACC },
#endif
#ifdef ELIBBAD
    { "ELIBBAD", ELIBBAD },
#endif
#ifdef ELIBSCN
    { "ELIBSCN", ELIBSCN },
#endif
#ifdef ELIBMAX
    { "ELIBMAX", ELIBMAX },
#endif
#ifdef ELIBEXEC
    { "ELIBEXEC", ELIBEXEC },
#endif
#ifdef EILSEQ
    { "EILSEQ", EILSEQ },
#endif
#ifdef ERESTART
    { "ERESTART", ERESTART },
#endif
#ifdef ESTRPIPE
    { "ESTRPIPE", ESTRPIPE },
#endif
#ifdef EUSERS
    { "EUSERS", EUSERS },
#endif
#ifdef ENOTSOCK
    { "ENOTSOCK", ENOTSOCK },
#endif
#ifdef EDESTADDRREQ
    { "EDESTADDRREQ", EDESTADDRREQ },
#endif
#ifdef EMSGSIZE
    { "EMSGSIZE", EMSGSIZE },
#endif
#ifdef EPROTOTYPE
    { "EPROTOTYPE", EPROTOTYPE },
#endif
#ifdef ENOPROTOOPT
    { "ENOPROTOOPT", ENOPROTOOPT },
#endif
#ifdef EPROTONOSUPPORT
    { "EPROTONOSUPPORT", EPROTONOSUPPORT },
#endif
#ifdef ESOCKTNOSUPPORT
    { "ESOCKTNOSUPPORT", ESOCKTNOSUPPORT },
#endif
#ifdef EOPNOTSUPP
    { "EOPNOTSUPP", EOPNOTSUPP },
#endif
#ifdef EPFNOSUPPORT
    { "EPFNOSUPPORT", EPFNOSUPPORT },
#endif
#ifdef EAFNOSUPPORT
    { "EAFNOSUPPORT", EAFNOSUPPORT },
#endif
#ifdef EADDRINUSE
    { "EADDRINUSE", EADDRINUSE },
#endif
#ifdef EADDRNOTAVAIL
    { "EADDRNOTAVAIL", EADDRNOTAVAIL },
#endif
#ifdef ENETDOWN
    { "ENETDOWN", ENETDOWN },
#endif
#ifdef ENETUNREACH
    { "ENETUNREACH", ENETUNREACH },
#endif
#ifdef ENETRESET
    { "ENETRESET", ENETRESET },
#endif
#ifdef ECONNABORTED
    { "ECONNABORTED", ECONNABORTED },
#endif
#ifdef ECONNRESET
    { "ECONNRESET", ECONNRESET },
#endif
#ifdef ENOBUFS
    { "ENOBUFS", ENOBUFS },
#endif
#ifdef EISCONN
    { "EISCONN", EISCONN },
#endif
#ifdef ENOTCONN
    { "ENOTCONN", ENOTCONN },
#endif
#ifdef ESHUTDOWN
    { "ESHUTDOWN", ESHUTDOWN },
#endif
#ifdef ETOOMANYREFS
    { "ETOOMANYREFS", ETOOMANYREFS },
#endif
#ifdef ETIMEDOUT
    { "ETIMEDOUT", ETIMEDOUT },
#endif
#ifdef ECONNREFUSED
    { "ECONNREFUSED", ECONNREFUSED },
#endif
#ifdef EHOSTDOWN
    { "EHOSTDOWN", EHOSTDOWN },
#endif
#ifdef EHOSTUNREACH
    { "EHOSTUNREACH", EHOSTUNREACH },
#endif
#ifdef EALREADY
    { "EALREADY", EALREADY },
#endif
#ifdef EINPROGRESS
    { "EINPROGRESS", EINPROGRESS },
#endif
#ifdef ESTALE
    { "ESTALE", ESTALE },
#endif
#ifdef EUCLEAN
    { "EUCLEAN", EUCLEAN },
#endif
#ifdef ENOTNAM
    { "ENOTNAM", ENOTNAM },
#endif
#ifdef ENAVAIL
    { "ENAVAIL", ENAVAIL },
#endif
#ifdef EISNAM
    { "EISNAM", EISNAM },
#endif
#ifdef EREMOTEIO
    { "EREMOTEIO", EREMOTEIO },
#endif
#ifdef EDQUOT
    { "EDQUOT", EDQUOT },
#endif
#ifdef ENOMEDIUM
    { "ENOMEDIUM", ENOMEDIUM },
#endif
#ifdef EMEDIUMTYPE
    { "EMEDIUMTYPE", EMEDIUMTYPE },
#endif
#ifdef ECANCELED
    { "ECANCELED", ECANCELED },
#endif
#ifdef ENOKEY
    { "ENOKEY", ENOKEY },
#endif
#ifdef EKEYEXPIRED
    { "EKEYEXPIRED", EKEYEXPIRED },
#endif
#ifdef EKEYREVOKED
    { "EKEYREVOKED", EKEYREVOKED },
#endif
#ifdef EKEYREJECTED
    { "EKEYREJECTED", EKEYREJECTED },
#endif
#ifdef EOWNERDEAD
    { "EOWNERDEAD", EOWNERDEAD },
#endif
#ifdef ENOTRECOVERABLE
    { "ENOTRECOVERABLE", ENOTRECOVERABLE },
#endif
#ifdef ERFKILL
    { "ERFKILL", ERFKILL },
#endif
#ifdef EHWPOISON
    { "EHWPOISON", EHWPOISON },
#endif
#ifdef EWOULDBLOCK
    { "EWOULDBLOCK", EWOULDBLOCK },
#endif
#ifdef EDEADLOCK
    { "EDEADLOCK", EDEADLOCK },
#endif
#ifdef ENOTSUP
    { "ENOTSUP", ENOTSUP },
#endif
    { NULL, 0 }
};

static const lsc_const netlink_constants[] = {
#ifdef NETLINK_ROUTE
    { "ROUTE", NETLINK_ROUTE },
#endif
#ifdef NETLINK_SOCK_DIAG
    { "SOCK_DIAG", NETLINK_SOCK_DIAG },
#endif
#ifdef NETLINK_AUDIT
    { "AUDIT", NETLINK_AUDIT },
#endif
#ifdef NETLINK_NETFILTER
    { "NETFILTER", NETLINK_NETFILTER },
#endif
#ifdef NETLINK_KOBJECT_UEVENT
    { "KOBJECT_UEVENT", NETLINK_KOBJECT_UEVENT },
#endif
#ifdef NETLINK_GENERIC
    { "GENERIC", NETLINK_GENERIC },
#endif
    { NULL, 0 }
};

static const lsc_const ipproto_constants[] = {
#ifdef IPPROTO_IP
    { "IP", IPPROTO_IP },
#endif
#ifdef IPPROTO_ICMP
    { "ICMP", IPPROTO_ICMP },
#endif
#ifdef IPPROTO_TCP
    { "TCP", IPPROTO_TCP },
#endif
#ifdef IPPROTO_UDP
    { "UDP", IPPROTO_UDP },
#endif
#ifdef IPPROTO_IPV6
    { "IPV6", IPPROTO_IPV6 },
#endif
#ifdef IPPROTO_ICMPV6
    { "ICMPV6", IPPROTO_ICMPV6 },
#endif
#ifdef IPPROTO_SCTP
    { "SCTP", IPPROTO_SCTP },
#endif
#ifdef IPPROTO_UDPLITE
    { "UDPLITE", IPPROTO_UDPLITE },
#endif
#ifdef IPPROTO_MPTCP
    { "MPTCP", IPPROTO_MPTCP },
#endif
#ifdef IPPROTO_RAW
    { "RAW", IPPROTO_RAW },
#endif
    { NULL, 0 }
};

/* Persona flags of personality(2). */
static const lsc_const per_constants[] = {
    { "LINUX", PER_LINUX },
    { "UNAME26", UNAME26 },
    { "ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE },
    { "FDPIC_FUNCPTRS", FDPIC_FUNCPTRS },
    { "MMAP_PAGE_ZERO", MMAP_PAGE_ZERO },
    { "ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT },
    { "READ_IMPLIES_EXEC", READ_IMPLIES_EXEC },
    { "ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT },
    { "SHORT_INODE", SHORT_INODE },
    { "WHOLE_SECONDS", WHOLE_SECONDS },
    { "STICKY_TIMEOUTS", STICKY_TIMEOUTS },
    { "ADDR_LIMIT_3GB", ADDR_LIMIT_3GB },
    { NULL, 0 }
};

/* One table of constants. With `both_ways`, numbers map back to names
 * too; the first name listed for a number wins, so aliases such as
 * EWOULDBLOCK never hide the name the kernel documents (EAGAIN). */
static void push_table(lua_State *L, const lsc_const *list, int both_ways)
{
    const lsc_const *c;
    lua_newtable(L);
    for (c = list; c->name != NULL; c++) {
        lua_pushinteger(L, c->value);
        lua_setfield(L, -2, c->name);
        if (both_ways && lua_rawgeti(L, -1, c->value) == LUA_TNIL) {
            lua_pop(L, 1);
            lua_pushstring(L, c->name);
            lua_rawseti(L, -2, c->value);
        } else if (both_ways) {
            lua_pop(L, 1);
        }
    }
}

static const struct {
    const char *name;
    const lsc_const *list;
    int both_ways;
} tables[] = {
    { "O", o_constants, 0 },
    { "AT", at_constants, 0 },
    { "PROT", prot_constants, 0 },
    { "MAP", map_constants, 0 },
    { "AF", af_constants, 0 },
    { "SOCK", sock_constants, 0 },
    { "NETLINK", netlink_constants, 0 },
    { "IPPROTO", ipproto_constants, 0 },
    { "PER", per_constants, 0 },
    { "CLONE", clone_constants, 0 },
    { "F", f_constants, 0 },
    { "IOCTL", ioctl_constants, 0 },
    { "S", s_constants, 0 },
    { "PR", pr_constants, 0 },
    { "SIG", sig_constants, 1 },
    { "E", e_constants, 1 },
};

/* personality([persona]) -> the persona flags before the call. Without an
 * argument it only queries (0xffffffff changes nothing); with one it sets
 * them, as personality(2) does. Raises if the kernel refuses. */
static int l_personality(lua_State *L)
{
    unsigned long persona = 0xffffffffUL;
    int previous;
    if (!lua_isnoneornil(L, 1))
        persona = (unsigned long)lsc_check_range(L, 1, "personality", NULL,
                                                 "persona", 0, 0xfffffffe);
    errno = 0;
    previous = personality(persona);
    if (previous == -1)
        return lsc_fail(L, "personality", NULL, errno != 0 ? errno : EINVAL,
                        "the kernel refused the persona");
    lua_pushinteger(L, previous);
    return 1;
}

void lsc_open_constants(lua_State *L)
{
    size_t i;
    lua_newtable(L);
    for (i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        push_table(L, tables[i].list, tables[i].both_ways);
        lua_setfield(L, -2, tables[i].name);
    }
    lua_setfield(L, -3, "constants");
    lua_pushcfunction(L, l_personality);
    lua_setfield(L, -3, "personality");
}
