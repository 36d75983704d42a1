// Test-only Linux calls that Swift cannot make directly (syscall() is variadic, and glibc
// declares some of these only under _GNU_SOURCE). Used by HyperionSystemTests to look at
// the sockets of the real hyperion processes from outside, and to start children in a
// directory of their own. Each function returns -errno on failure.
#ifndef C_HYPERION_TEST_SUPPORT_H
#define C_HYPERION_TEST_SUPPORT_H

#ifdef __linux__
#include <spawn.h>
#include <sys/types.h>

/// pidfd_open(2): a descriptor that refers to process `pid` (Linux 5.3+).
int chyperion_test_pidfd_open(pid_t pid);

/// pidfd_getfd(2): a duplicate, in this process, of descriptor `target` of the process
/// behind `pidfd` (Linux 5.6+). Needs ptrace access to that process (root, or the same
/// user and a descendant). The duplicate is close-on-exec.
int chyperion_test_pidfd_getfd(int pidfd, int target);

/// posix_spawn_file_actions_addchdir_np (glibc 2.29+): the child starts in `path`.
/// Returns an errno value, 0 on success.
int chyperion_test_spawn_chdir(posix_spawn_file_actions_t *actions, const char *path);
#endif

#endif
