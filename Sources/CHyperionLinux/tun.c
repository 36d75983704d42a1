#ifdef __linux__
#define _GNU_SOURCE
#include "CHyperionTun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int chyperion_tun_open(char *name, int vnet_header) {
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    request.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet_header ? IFF_VNET_HDR : 0);
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &request) < 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    memcpy(name, request.ifr_name, IFNAMSIZ);
    name[IFNAMSIZ - 1] = 0;
    return fd;
}

int chyperion_tun_enable_offload(int fd) {
    int size = CHYPERION_TUN_VNET_HEADER_SIZE;
    if (ioctl(fd, TUNSETVNETHDRSZ, &size) < 0) {
        return -errno;
    }
    unsigned long offload = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
    return ioctl(fd, TUNSETOFFLOAD, offload) < 0 ? -errno : 0;
}

/// Runs one SIOC* request on `name` through a throwaway AF_INET datagram socket.
static int interface_request(const char *name, unsigned long command, struct ifreq *request) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    strncpy(request->ifr_name, name, IFNAMSIZ - 1);
    int result = ioctl(fd, command, request) < 0 ? -errno : 0;
    close(fd);
    return result;
}

int chyperion_link_index(const char *name) {
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    int result = interface_request(name, SIOCGIFINDEX, &request);
    return result < 0 ? result : request.ifr_ifindex;
}

int chyperion_link_set_mtu(const char *name, int mtu) {
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    request.ifr_mtu = mtu;
    return interface_request(name, SIOCSIFMTU, &request);
}

int chyperion_link_set_txqueuelen(const char *name, int length) {
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    request.ifr_qlen = length;
    return interface_request(name, SIOCSIFTXQLEN, &request);
}

int chyperion_link_set_up(const char *name) {
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    int result = interface_request(name, SIOCGIFFLAGS, &request);
    if (result < 0) {
        return result;
    }
    request.ifr_flags |= IFF_UP;
    return interface_request(name, SIOCSIFFLAGS, &request);
}

/// Appends one attribute to a netlink message in `buffer`; false when it does not fit.
static int append_attribute(struct nlmsghdr *message, size_t capacity, unsigned short type, const void *data, size_t length) {
    size_t attribute_length = RTA_LENGTH(length);
    size_t offset = NLMSG_ALIGN(message->nlmsg_len);
    if (offset + RTA_ALIGN(attribute_length) > capacity) {
        return 0;
    }
    struct rtattr *attribute = (struct rtattr *)((char *)message + offset);
    attribute->rta_type = type;
    attribute->rta_len = (unsigned short)attribute_length;
    memcpy(RTA_DATA(attribute), data, length);
    message->nlmsg_len = (unsigned int)(offset + RTA_ALIGN(attribute_length));
    return 1;
}

/// Sends one request and waits for the kernel's answer with the same sequence number:
/// an error or acknowledgement (0 or -errno), or else a message of `reply_type`, whose
/// `struct rtmsg` type (rtm_type) is returned when `route_type` is non-NULL.
static int netlink_transact(struct nlmsghdr *message, unsigned short reply_type, int *route_type) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        return -errno;
    }
    struct sockaddr_nl kernel;
    memset(&kernel, 0, sizeof(kernel));
    kernel.nl_family = AF_NETLINK;
    int result = 0;
    if (sendto(fd, message, message->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
        result = -errno;
        close(fd);
        return result;
    }
    char reply[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
    for (int found = 0; !found;) {
        ssize_t length = recv(fd, reply, sizeof(reply), 0);
        if (length < 0) {
            if (errno == EINTR) continue;
            result = -errno;
            break;
        }
        struct nlmsghdr *answer = (struct nlmsghdr *)reply;
        for (; NLMSG_OK(answer, (unsigned int)length); answer = NLMSG_NEXT(answer, length)) {
            if (answer->nlmsg_seq != message->nlmsg_seq) continue;
            if (answer->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *error = (struct nlmsgerr *)NLMSG_DATA(answer);
                result = error->error;  // 0 is the acknowledgement, otherwise -errno
                found = 1;
                break;
            }
            if (route_type != NULL && answer->nlmsg_type == reply_type) {
                *route_type = ((struct rtmsg *)NLMSG_DATA(answer))->rtm_type;
                result = 0;
                found = 1;
                break;
            }
        }
    }
    close(fd);
    return result;
}

_Static_assert(RTN_LOCAL == CHYPERION_ROUTE_TYPE_LOCAL, "RTN_LOCAL changed");

static size_t address_length_of(int family) {
    return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int chyperion_link_add_address(int index, int family, const uint8_t *address, int prefix_length) {
    size_t address_length = address_length_of(family);
    if (address_length == 0 || index <= 0 || prefix_length < 0 || prefix_length > (int)address_length * 8) {
        return -EINVAL;
    }
    char buffer[256] __attribute__((aligned(NLMSG_ALIGNTO)));
    memset(buffer, 0, sizeof(buffer));
    struct nlmsghdr *message = (struct nlmsghdr *)buffer;
    message->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
    message->nlmsg_type = RTM_NEWADDR;
    message->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    message->nlmsg_seq = 1;
    struct ifaddrmsg *body = (struct ifaddrmsg *)NLMSG_DATA(message);
    body->ifa_family = (unsigned char)family;
    body->ifa_prefixlen = (unsigned char)prefix_length;
    body->ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
    body->ifa_scope = RT_SCOPE_UNIVERSE;
    body->ifa_index = (unsigned int)index;
    if (!append_attribute(message, sizeof(buffer), IFA_LOCAL, address, address_length) ||
        !append_attribute(message, sizeof(buffer), IFA_ADDRESS, address, address_length)) {
        return -ENOBUFS;
    }
    if (family == AF_INET6) {
        uint32_t flags = IFA_F_NODAD;
        if (!append_attribute(message, sizeof(buffer), IFA_FLAGS, &flags, sizeof(flags))) {
            return -ENOBUFS;
        }
    }
    int result = netlink_transact(message, 0, NULL);
    return result == -EEXIST ? 0 : result;
}

int chyperion_route_type(int family, const uint8_t *address) {
    size_t address_length = address_length_of(family);
    if (address_length == 0) {
        return -EINVAL;
    }
    char buffer[128] __attribute__((aligned(NLMSG_ALIGNTO)));
    memset(buffer, 0, sizeof(buffer));
    struct nlmsghdr *message = (struct nlmsghdr *)buffer;
    message->nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
    message->nlmsg_type = RTM_GETROUTE;
    message->nlmsg_flags = NLM_F_REQUEST;
    message->nlmsg_seq = 2;
    struct rtmsg *body = (struct rtmsg *)NLMSG_DATA(message);
    body->rtm_family = (unsigned char)family;
    body->rtm_dst_len = (unsigned char)(address_length * 8);
    if (!append_attribute(message, sizeof(buffer), RTA_DST, address, address_length)) {
        return -ENOBUFS;
    }
    int type = -1;
    int result = netlink_transact(message, RTM_NEWROUTE, &type);
    if (result < 0) return result;
    return type < 0 ? -ENODATA : type;
}
#endif
