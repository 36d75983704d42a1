// TUN mode's kernel fast path: a BPF program on the TUN device's egress (TCX) that rewrites
// an established flow's packets exactly as the NAT would and turns them back in at the
// device's ingress, so they never cross to our packet thread. The NAT stays the authority:
// it puts a flow's two translations in the program's hash map once the listener accepted
// the connection, and takes them out when the relay ends. SYN, FIN and RST, and every packet
// the map does not name, still take the TUN.
//
// This header is shared by the loader (fast_path.c) and the program (bpf/tun_fast_path.c),
// so the map's layout is one definition.
#ifndef C_HYPERION_FAST_PATH_H
#define C_HYPERION_FAST_PATH_H

#if defined(__linux__) || defined(__bpf__)
#ifdef __bpf__
#include <linux/types.h>
typedef __u8 chyperion_u8;
typedef __u16 chyperion_u16;
typedef __u32 chyperion_u32;
#else
#include <stdint.h>
typedef uint8_t chyperion_u8;
typedef uint16_t chyperion_u16;
typedef uint32_t chyperion_u32;
#endif

/// One direction of a TCP connection: the map's key (a packet as it leaves the device) and
/// its value (the same packet after the rewrite). An IPv4 address fills the first 4 bytes of
/// its 16; the rest, and `reserved`, are zero, because the kernel hashes every byte.
/// Ports are in network byte order.
struct chyperion_fast_path_tuple {
    chyperion_u8 source[16];
    chyperion_u8 destination[16];
    chyperion_u16 source_port;
    chyperion_u16 destination_port;
    /// 4 or 6.
    chyperion_u8 family;
    chyperion_u8 reserved[3];
};

#ifndef __bpf__
/// Creates the flow map (at most `max_entries` directions), loads the program with the map
/// in it and attaches it to the egress of interface `ifindex` through a TCX link. On success
/// `*map_fd` and `*link_fd` are set (closing the link's descriptor detaches the program);
/// on failure nothing is left behind, the kernel verifier's message (if any) is in `log`,
/// and -errno is returned. Needs CAP_BPF and CAP_NET_ADMIN (or CAP_SYS_ADMIN) and a kernel
/// with TCX (Linux 6.6).
int chyperion_fast_path_attach(int ifindex, uint32_t max_entries, int *map_fd, int *link_fd, char *log, uint32_t log_size);

/// Adds or replaces one direction. Returns 0 or -errno (-E2BIG when the map is full).
int chyperion_fast_path_put(int map_fd, const struct chyperion_fast_path_tuple *key, const struct chyperion_fast_path_tuple *value);

/// Removes one direction. Returns 0 or -errno (-ENOENT when it was not there).
int chyperion_fast_path_remove(int map_fd, const struct chyperion_fast_path_tuple *key);
#endif
#endif

#endif
