// The calls hyperion-server makes to give up root once it holds its sockets: capability
// sets (capget/capset through syscall, since glibc has no wrapper), prctl, the uid and gid
// switch, the core limit and mlock. Like CHyperionLinux.h, every function returns -errno
// on failure.
//
// Capabilities, keep-caps and no-new-privileges belong to a thread, not to the process,
// and the server has threads (event loops, the sniffer, dispatch) by the time it drops:
// `chyperion_restrict_all_threads` applies one set of changes to every thread.
#ifndef C_HYPERION_PRIVILEGES_H
#define C_HYPERION_PRIVILEGES_H

#ifdef __linux__
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// What `chyperion_restrict_all_threads` does in each thread, as a set of these flags.
/// PR_SET_KEEPCAPS 1, so that a later uid change keeps the permitted set.
#define CHYPERION_THREAD_KEEP_CAPABILITIES 1
/// Cut the bounding set to `keep`, effective and permitted to `keep`, inheritable to
/// `inheritable`, the ambient set to `ambient`, and PR_SET_KEEPCAPS back to 0.
#define CHYPERION_THREAD_RESTRICT_CAPABILITIES 2
/// PR_SET_NO_NEW_PRIVS 1.
#define CHYPERION_THREAD_NO_NEW_PRIVILEGES 4

typedef struct {
    int flags;
    uint64_t keep;
    uint64_t inheritable;
    uint64_t ambient;
} chyperion_thread_change;

/// Applies `change` to the calling thread, then to every other thread of the process,
/// one at a time: each is sent SIGSYS (tgkill) and applies the change in a handler that
/// makes raw system calls only, while this thread waits up to `timeout_ms` for it. The
/// directory /proc/self/task is walked until a pass finds no thread left to do (at most
/// 16 passes, at most 1024 threads). SIGSYS because every thread takes it: libdispatch's
/// workers block the asynchronous signals, real-time ones included. Our handler stays
/// installed afterwards and passes any other SIGSYS (seccomp's) on to the one before.
/// On failure `failed_tid` names the thread that failed or did not answer (0 if none).
int chyperion_restrict_all_threads(const chyperion_thread_change *change, int timeout_ms, pid_t *failed_tid);

/// setgroups(0, NULL), then setresgid(gid x3), then setresuid(uid x3). glibc applies each
/// to every thread. Does not return before all three are done or one failed.
int chyperion_switch_user(uid_t uid, gid_t gid);

/// RLIMIT_CORE soft and hard 0.
int chyperion_disable_core_dumps(void);

/// PR_SET_DUMPABLE 0: no core dump, no ptrace attach by the same user, /proc/PID files
/// owned by root. For the whole process.
int chyperion_set_not_dumpable(void);

/// mlock of the whole pages that hold [address, address + length).
int chyperion_lock_pages(const void *address, size_t length);
#endif

#endif
