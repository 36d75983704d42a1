#define _GNU_SOURCE
#include "CHyperionTestSupport.h"

#ifdef __linux__
#include <errno.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

int chyperion_test_pidfd_open(pid_t pid) {
    long fd = syscall(SYS_pidfd_open, pid, 0);
    return fd < 0 ? -errno : (int)fd;
}

int chyperion_test_pidfd_getfd(int pidfd, int target) {
    long fd = syscall(SYS_pidfd_getfd, pidfd, target, 0);
    return fd < 0 ? -errno : (int)fd;
}

int chyperion_test_spawn_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}
#endif
