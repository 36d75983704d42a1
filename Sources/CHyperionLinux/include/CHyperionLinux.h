// The few Linux calls the SPA sniffer needs that Swift cannot reach cleanly: the packet
// socket family with its `sockaddr_ll`, classic BPF attachment, `PACKET_*` options and
// eventfd. Everything else (poll, read, close, posix_spawn) is called from Swift.
// Each function returns -errno on failure so Swift never has to read `errno` across calls.
#ifndef C_HYPERION_LINUX_H
#define C_HYPERION_LINUX_H

#ifdef __linux__
#include <stddef.h>
#include <stdint.h>
#include <spawn.h>
#include <sys/types.h>
#include <linux/filter.h>

// The TUN device's ioctl and rtnetlink calls: a header of their own, included here because
// this file is the target's umbrella header.
#include "CHyperionTun.h"
// The privilege drop of hyperion-server: capabilities, uid switch, core dumps, mlock.
#include "CHyperionPrivileges.h"
// TUN mode's kernel fast path: the BPF flow map and its TCX program.
#include "CHyperionFastPath.h"

/// Opens an AF_PACKET SOCK_RAW socket with protocol 0, non-blocking and close-on-exec.
/// With protocol 0 the socket receives nothing until `chyperion_packet_bind_all`, so a
/// filter attached in between applies to every frame it will ever see.
int chyperion_packet_socket(void);

/// Binds a packet socket to every protocol (ETH_P_ALL) on every interface.
int chyperion_packet_bind_all(int fd);

/// Attaches a classic BPF program (SO_ATTACH_FILTER); replaces any previous one.
int chyperion_attach_filter(int fd, const struct sock_filter *instructions, uint16_t count);

/// SO_ATTACH_REUSEPORT_CBPF (Linux 4.5, TCP listeners since 4.6): attaches a classic BPF
/// program that picks, for each new connection, the socket of a SO_REUSEPORT group that
/// accepts it.
extern const int chyperion_so_attach_reuseport_cbpf;

/// Writes into `program` (room for 4) the instructions that send each new TCP connection to
/// the socket at index (TCP source port % `sockets`) of a SO_REUSEPORT group, and returns
/// how many there are. A group lists its sockets in the order they started listening; a
/// program attached to the first socket before it binds becomes the group's. For IPv6 the
/// TCP header must follow the fixed header (no extension headers).
int chyperion_source_port_steering(struct sock_filter *program, uint32_t sockets, int ipv6);

/// Asks the kernel not to deliver frames this host sends (PACKET_IGNORE_OUTGOING,
/// Linux 4.20+). Best effort: the sniffer checks `sll_pkttype` anyway.
int chyperion_packet_ignore_outgoing(int fd);

/// Sets SO_RCVBUFFORCE (needs CAP_NET_ADMIN), falling back to SO_RCVBUF.
int chyperion_set_receive_buffer(int fd, int bytes);

/// Receives one frame into `buffer`. Returns the frame's full length, which exceeds
/// `capacity` when it was truncated (MSG_TRUNC), or -errno. Reports the frame's
/// `sll_pkttype` and `sll_hatype`.
ssize_t chyperion_packet_receive(int fd, void *buffer, size_t capacity, uint8_t *pkttype, uint16_t *hatype);

/// Frames the kernel dropped for this socket since the last call (PACKET_STATISTICS
/// resets on read), or -errno.
int64_t chyperion_packet_drops(int fd);

/// A non-blocking, close-on-exec eventfd: the only reliable way to wake a thread that
/// sits in poll(), since closing a polled descriptor does not.
int chyperion_eventfd(void);

/// Adds 1 to an eventfd counter.
int chyperion_eventfd_signal(int fd);

/// pipe2(O_CLOEXEC), which glibc only declares under _GNU_SOURCE: the pipes to a spawned
/// nft must not leak into children other threads start at the same moment.
int chyperion_pipe_cloexec(int fds[2]);

/// The descriptors every child we spawn gets, as posix_spawn actions: stdin from
/// /dev/null, stdout and stderr from the given descriptors, and nothing else: every
/// descriptor from 3 up is closed (glibc's posix_spawn_file_actions_addclosefrom_np,
/// 2.34+), whatever the parent forgot to mark close-on-exec. Returns an errno value, 0 on
/// success.
int chyperion_spawn_standard_descriptors(posix_spawn_file_actions_t *actions, int stdout_fd, int stderr_fd);
#endif

#endif
