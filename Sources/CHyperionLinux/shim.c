#ifdef __linux__
#define _GNU_SOURCE
#include "CHyperionLinux.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

int chyperion_packet_socket(void) {
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    return fd < 0 ? -errno : fd;
}

int chyperion_packet_bind_all(int fd) {
    struct sockaddr_ll address;
    memset(&address, 0, sizeof(address));
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = 0;
    return bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0 ? -errno : 0;
}

int chyperion_attach_filter(int fd, const struct sock_filter *instructions, uint16_t count) {
    struct sock_fprog program;
    program.len = count;
    program.filter = (struct sock_filter *)instructions;
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program)) < 0 ? -errno : 0;
}

const int chyperion_so_attach_reuseport_cbpf = SO_ATTACH_REUSEPORT_CBPF;

int chyperion_source_port_steering(struct sock_filter *program, uint32_t sockets, int ipv6) {
    int count = 0;
    // The program runs with the packet's data past the TCP header, so it reads the source
    // port relative to the network header (SKF_NET_OFF): after the IPv4 header, whose
    // length X comes from its IHL nibble, or after IPv6's fixed 40 bytes.
    if (ipv6) {
        program[count++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS, (uint32_t)(SKF_NET_OFF + 40));
    } else {
        program[count++] = (struct sock_filter)BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, (uint32_t)SKF_NET_OFF);
        program[count++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_IND, (uint32_t)SKF_NET_OFF);
    }
    program[count++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, sockets);
    program[count++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
    return count;
}

int chyperion_packet_ignore_outgoing(int fd) {
    int one = 1;
    return setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0 ? -errno : 0;
}

int chyperion_set_receive_buffer(int fd, int bytes) {
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) == 0) {
        return 0;
    }
    return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) < 0 ? -errno : 0;
}

ssize_t chyperion_packet_receive(int fd, void *buffer, size_t capacity, uint8_t *pkttype, uint16_t *hatype) {
    struct sockaddr_ll from;
    socklen_t fromLength = sizeof(from);
    memset(&from, 0, sizeof(from));
    ssize_t length = recvfrom(fd, buffer, capacity, MSG_TRUNC, (struct sockaddr *)&from, &fromLength);
    if (length < 0) {
        return -errno;
    }
    *pkttype = from.sll_pkttype;
    *hatype = from.sll_hatype;
    return length;
}

int64_t chyperion_packet_drops(int fd) {
    struct tpacket_stats stats;
    socklen_t length = sizeof(stats);
    if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &stats, &length) < 0) {
        return -errno;
    }
    return (int64_t)stats.tp_drops;
}

int chyperion_eventfd(void) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int chyperion_eventfd_signal(int fd) {
    uint64_t one = 1;
    return write(fd, &one, sizeof(one)) < 0 ? -errno : 0;
}

int chyperion_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC) < 0 ? -errno : 0;
}

int chyperion_spawn_standard_descriptors(posix_spawn_file_actions_t *actions, int stdout_fd, int stderr_fd) {
    int result = posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0);
    if (result == 0) result = posix_spawn_file_actions_adddup2(actions, stdout_fd, 1);
    if (result == 0) result = posix_spawn_file_actions_adddup2(actions, stderr_fd, 2);
    if (result == 0) result = posix_spawn_file_actions_addclosefrom_np(actions, 3);
    return result;
}
#endif
