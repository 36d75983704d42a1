// The Linux calls a TUN device needs that Swift cannot make itself: the variadic ioctl()
// (TUNSETIFF, TUNSETOFFLOAD, SIOCSIF*) and rtnetlink messages for addresses. Nothing here
// runs `ip`. Like CHyperionLinux.h, every function returns -errno on failure.
#ifndef C_HYPERION_TUN_H
#define C_HYPERION_TUN_H

#ifdef __linux__
#include <stdint.h>

/// The size of the virtio-net header in front of each packet when offload is on: the
/// 10-byte `struct virtio_net_hdr` (no `num_buffers`), set with TUNSETVNETHDRSZ.
#define CHYPERION_TUN_VNET_HEADER_SIZE 10

/// The largest interface name plus its NUL (IFNAMSIZ).
#define CHYPERION_TUN_NAME_CAPACITY 16

/// Opens /dev/net/tun (non-blocking, close-on-exec) and attaches it to a non-persistent
/// IFF_TUN | IFF_NO_PI interface named `name` (a NUL-terminated buffer of
/// CHYPERION_TUN_NAME_CAPACITY bytes; a name with "%d" lets the kernel number it). With
/// `vnet_header` non-zero it also asks for IFF_VNET_HDR. On success `name` holds the
/// actual name and the descriptor is returned; closing it removes the interface.
int chyperion_tun_open(char *name, int vnet_header);

/// Sets the virtio header size (CHYPERION_TUN_VNET_HEADER_SIZE) and turns on checksum and
/// TCP segmentation offload (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) on a descriptor opened
/// with `vnet_header`. After a failure the caller should reopen without it.
int chyperion_tun_enable_offload(int fd);

/// The interface index of `name` (SIOCGIFINDEX).
int chyperion_link_index(const char *name);

/// Sets the MTU (SIOCSIFMTU).
int chyperion_link_set_mtu(const char *name, int mtu);

/// Sets the transmit queue length (SIOCSIFTXQLEN): for a TUN, how many packets the kernel
/// queues for us before it drops.
int chyperion_link_set_txqueuelen(const char *name, int length);

/// Sets IFF_UP (SIOCGIFFLAGS, then SIOCSIFFLAGS).
int chyperion_link_set_up(const char *name);

/// Adds an address with its prefix length to interface `index` through rtnetlink
/// (RTM_NEWADDR). `family` is AF_INET (4 bytes) or AF_INET6 (16 bytes); IPv6 addresses
/// get IFA_F_NODAD so they are usable at once. An address that already exists is not an
/// error. Returns 0 or the kernel's -errno.
int chyperion_link_add_address(int index, int family, const uint8_t *address, int prefix_length);

/// The type (RTN_LOCAL, RTN_UNICAST, ...) of the route the kernel would use for `address`
/// (RTM_GETROUTE), or -errno. An IPv6 address's local route appears a moment after
/// RTM_NEWADDR, from a work queue, even with IFA_F_NODAD: until then packets to it are
/// dropped as not ours.
int chyperion_route_type(int family, const uint8_t *address);

/// RTN_LOCAL, for comparing with `chyperion_route_type`.
#define CHYPERION_ROUTE_TYPE_LOCAL 2
#endif

#endif
