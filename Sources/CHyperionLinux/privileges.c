#ifdef __linux__
#define _GNU_SOURCE
#include "CHyperionPrivileges.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

// Raw system calls only from here to `apply_change`: they run in a signal handler.

/// One thread's capability sets, a bit per capability number (CAP_NET_ADMIN is bit 12).
typedef struct {
    uint64_t effective;
    uint64_t permitted;
    uint64_t inheritable;
} chyperion_capability_sets;

static long raw_prctl(long option, unsigned long a, unsigned long b, unsigned long c, unsigned long d) {
    return syscall(SYS_prctl, option, a, b, c, d);
}

static int get_sets(chyperion_capability_sets *sets) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    if (syscall(SYS_capget, &header, data) < 0) {
        return -errno;
    }
    sets->effective = (uint64_t)data[1].effective << 32 | data[0].effective;
    sets->permitted = (uint64_t)data[1].permitted << 32 | data[0].permitted;
    sets->inheritable = (uint64_t)data[1].inheritable << 32 | data[0].inheritable;
    return 0;
}

static int set_sets(const chyperion_capability_sets *sets) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    for (int word = 0; word < 2; word++) {
        data[word].effective = (uint32_t)(sets->effective >> (32 * word));
        data[word].permitted = (uint32_t)(sets->permitted >> (32 * word));
        data[word].inheritable = (uint32_t)(sets->inheritable >> (32 * word));
    }
    return syscall(SYS_capset, &header, data) < 0 ? -errno : 0;
}

static int restrict_capabilities(const chyperion_thread_change *change) {
    chyperion_capability_sets sets;
    int result = get_sets(&sets);
    if (result < 0) {
        return result;
    }
    // Dropping from the bounding set takes CAP_SETPCAP in the effective set, which a
    // switch away from uid 0 emptied even with keep-caps: raise what is permitted first.
    sets.effective = sets.permitted;
    if ((result = set_sets(&sets)) < 0) {
        return result;
    }
    for (int cap = 0; cap < 64; cap++) {
        long present = raw_prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);
        if (present < 0) {
            break; // past the kernel's last capability
        }
        if (present == 1 && !(change->keep >> cap & 1) && raw_prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0) {
            return -errno;
        }
    }
    chyperion_capability_sets kept = {change->keep, change->keep, change->inheritable};
    if ((result = set_sets(&kept)) < 0) {
        return result;
    }
    if (raw_prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
        return -errno;
    }
    for (int cap = 0; cap < 64; cap++) {
        if (change->ambient >> cap & 1 && raw_prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) < 0) {
            return -errno;
        }
    }
    return raw_prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0 ? -errno : 0;
}

static int apply_change(const chyperion_thread_change *change) {
    if (change->flags & CHYPERION_THREAD_KEEP_CAPABILITIES && raw_prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
        return -errno;
    }
    if (change->flags & CHYPERION_THREAD_RESTRICT_CAPABILITIES) {
        int result = restrict_capabilities(change);
        if (result < 0) {
            return result;
        }
    }
    if (change->flags & CHYPERION_THREAD_NO_NEW_PRIVILEGES && raw_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        return -errno;
    }
    return 0;
}

// MARK: Every thread

// The change being broadcast, and the answer of the one thread asked at a time.
static const chyperion_thread_change *_Atomic pending_change;
static _Atomic int answer_result;
static _Atomic int answered;
static struct sigaction previous_action;
static _Atomic int handler_installed;

static void on_sigsys(int signal_number, siginfo_t *info, void *context) {
    int saved_errno = errno;
    const chyperion_thread_change *change = atomic_load(&pending_change);
    if (info->si_code == SI_TKILL && info->si_pid == getpid()) {
        // Ours. With no change pending it is a late one, after its thread was given up on.
        if (change != NULL) {
            atomic_store(&answer_result, apply_change(change));
            atomic_store(&answered, 1);
        }
    } else if (previous_action.sa_flags & SA_SIGINFO && previous_action.sa_sigaction != NULL) {
        previous_action.sa_sigaction(signal_number, info, context);
    } else if (previous_action.sa_handler == SIG_DFL) {
        // A SIGSYS that was not ours ends the process as it would have without us.
        signal(signal_number, SIG_DFL);
        raise(signal_number);
    } else if (previous_action.sa_handler != SIG_IGN) {
        previous_action.sa_handler(signal_number);
    }
    errno = saved_errno;
}

static int install_handler(void) {
    if (atomic_load(&handler_installed)) {
        return 0;
    }
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_sigaction = on_sigsys;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSYS, &action, &previous_action) < 0) {
        return -errno;
    }
    atomic_store(&handler_installed, 1);
    return 0;
}

static int64_t monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int thread_exists(pid_t tid) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/task/%d", (int)tid);
    return access(path, F_OK) == 0;
}

/// Asks thread `tid` to apply the pending change and waits for its answer.
static int ask_thread(pid_t pid, pid_t tid, int timeout_ms) {
    atomic_store(&answered, 0);
    if (syscall(SYS_tgkill, pid, tid, SIGSYS) < 0) {
        return errno == ESRCH ? 0 : -errno; // ESRCH: it has exited meanwhile
    }
    int64_t deadline = monotonic_ms() + timeout_ms;
    struct timespec pause = {0, 200 * 1000};
    while (!atomic_load(&answered)) {
        if (monotonic_ms() > deadline) {
            return thread_exists(tid) ? -ETIMEDOUT : 0;
        }
        nanosleep(&pause, NULL);
    }
    return atomic_load(&answer_result);
}

enum { maximum_threads = 1024, maximum_passes = 16 };

int chyperion_restrict_all_threads(const chyperion_thread_change *change, int timeout_ms, pid_t *failed_tid) {
    *failed_tid = 0;
    int result = apply_change(change);
    if (result < 0 || (result = install_handler()) < 0) {
        return result;
    }
    pid_t pid = getpid();
    pid_t done[maximum_threads];
    size_t done_count = 0;
    done[done_count++] = (pid_t)syscall(SYS_gettid);
    atomic_store(&pending_change, change);
    int finished = 0;
    for (int pass = 0; pass < maximum_passes && result == 0 && !finished; pass++) {
        DIR *tasks = opendir("/proc/self/task");
        if (tasks == NULL) {
            result = -errno;
            break;
        }
        // A thread started during the walk copies its creator's credentials, so one more
        // pass that finds nobody new is needed to know every thread was reached.
        finished = 1;
        struct dirent *entry;
        while (result == 0 && (entry = readdir(tasks)) != NULL) {
            pid_t tid = (pid_t)atoi(entry->d_name);
            int seen = tid <= 0;
            for (size_t index = 0; index < done_count && !seen; index++) {
                seen = done[index] == tid;
            }
            if (seen) {
                continue;
            }
            if (done_count == maximum_threads) {
                result = -E2BIG;
                break;
            }
            finished = 0;
            if ((result = ask_thread(pid, tid, timeout_ms)) < 0) {
                *failed_tid = tid;
            }
            done[done_count++] = tid;
        }
        closedir(tasks);
    }
    atomic_store(&pending_change, NULL);
    if (result == 0 && !finished) {
        result = -EAGAIN; // threads kept appearing
    }
    return result;
}

// MARK: Process-wide

int chyperion_switch_user(uid_t uid, gid_t gid) {
    if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0) {
        return -errno;
    }
    return 0;
}

int chyperion_disable_core_dumps(void) {
    struct rlimit none = {0, 0};
    return setrlimit(RLIMIT_CORE, &none) < 0 ? -errno : 0;
}

int chyperion_set_not_dumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 ? -errno : 0;
}

int chyperion_lock_pages(const void *address, size_t length) {
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)address & ~(page - 1);
    uintptr_t end = ((uintptr_t)address + length + page - 1) & ~(page - 1);
    return mlock((const void *)start, end - start) < 0 ? -errno : 0;
}
#endif
