// TUN mode's kernel fast path (see Sources/CHyperionLinux/include/CHyperionFastPath.h).
// Runs at the TUN device's egress (TCX). A TCP packet that is not SYN, FIN or RST and whose
// 4-tuple the flow map names is rewritten to the map's tuple, its checksums updated, and
// redirected to the same device's ingress: what our packet thread would have done after a
// read and before a write, without either. Anything else goes on to the TUN.
//
// Built into Sources/CHyperionLinux/fast_path_program.h by scripts/bpf-generate; the loader
// puts the map's descriptor into the one instruction that loads `flows`.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include "../Sources/CHyperionLinux/include/CHyperionFastPath.h"

#define SEC(name) __attribute__((section(name), used))

static void *(*map_lookup_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
static long (*skb_store_bytes)(struct __sk_buff *, __u32 offset, const void *from, __u32 len, __u64 flags) = (void *)BPF_FUNC_skb_store_bytes;
static long (*l3_csum_replace)(struct __sk_buff *, __u32 offset, __u64 from, __u64 to, __u64 flags) = (void *)BPF_FUNC_l3_csum_replace;
static long (*l4_csum_replace)(struct __sk_buff *, __u32 offset, __u64 from, __u64 to, __u64 flags) = (void *)BPF_FUNC_l4_csum_replace;
static __s64 (*csum_diff)(const void *from, __u32 from_size, const void *to, __u32 to_size, __u32 seed) = (void *)BPF_FUNC_csum_diff;
static long (*redirect)(__u32 ifindex, __u64 flags) = (void *)BPF_FUNC_redirect;

// TCX verdicts: go on (to the next program, then the device), or drop a packet whose rewrite
// failed half way (TCP sends it again, and the copy takes the TUN if the flow is gone).
#define TCX_NEXT (-1)
#define TCX_DROP 2

// The flow map. The loader creates it (a hash of chyperion_fast_path_tuple to the same)
// and patches its descriptor into the load of this symbol; nothing else of it is used.
struct { int unused; } flows SEC("maps");

#define IPV4_CHECK 10
#define IPV4_ADDRESSES 12
#define IPV6_ADDRESSES 8
#define TCP_CHECK 16

SEC("tcx/egress")
int hyperion_fast_path(struct __sk_buff *skb) {
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    struct chyperion_fast_path_tuple key = {};
    struct tcphdr *tcp;
    if (skb->protocol == __constant_htons(ETH_P_IP)) {
        struct iphdr *ip = data;
        if ((void *)(ip + 1) > end) return TCX_NEXT;
        // Options and fragments are the NAT's to skip; neither comes from our listener.
        if (ip->version != 4 || ip->ihl != 5 || ip->protocol != IPPROTO_TCP) return TCX_NEXT;
        if (ip->frag_off & __constant_htons(0x3fff)) return TCX_NEXT;
        __builtin_memcpy(key.source, &ip->saddr, 4);
        __builtin_memcpy(key.destination, &ip->daddr, 4);
        key.family = 4;
        tcp = (void *)(ip + 1);
    } else if (skb->protocol == __constant_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip = data;
        if ((void *)(ip + 1) > end) return TCX_NEXT;
        // Extension headers are the NAT's to skip.
        if (ip->version != 6 || ip->nexthdr != IPPROTO_TCP) return TCX_NEXT;
        __builtin_memcpy(key.source, &ip->saddr, 16);
        __builtin_memcpy(key.destination, &ip->daddr, 16);
        key.family = 6;
        tcp = (void *)(ip + 1);
    } else {
        return TCX_NEXT;
    }
    if ((void *)(tcp + 1) > end) return TCX_NEXT;
    // A connection's opening and ending go through the NAT, which keeps its state.
    if (tcp->syn || tcp->fin || tcp->rst) return TCX_NEXT;
    key.source_port = tcp->source;
    key.destination_port = tcp->dest;
    __u32 transport = (__u32)((void *)tcp - data);

    struct chyperion_fast_path_tuple *to = map_lookup_elem(&flows, &key);
    if (!to) return TCX_NEXT;

    // The checksums first (the helpers read the old values from the packet), then the bytes.
    __u32 ports = (__u32)csum_diff(&key.source_port, 4, &to->source_port, 4, 0);
    if (key.family == 4) {
        __u32 addresses = (__u32)csum_diff(key.source, 4, to->source, 4, 0);
        addresses = (__u32)csum_diff(key.destination, 4, to->destination, 4, addresses);
        if (l3_csum_replace(skb, IPV4_CHECK, 0, addresses, 0)) return TCX_DROP;
        if (l4_csum_replace(skb, transport + TCP_CHECK, 0, addresses, BPF_F_PSEUDO_HDR)) return TCX_DROP;
        if (l4_csum_replace(skb, transport + TCP_CHECK, 0, ports, 0)) return TCX_DROP;
        if (skb_store_bytes(skb, IPV4_ADDRESSES, to->source, 4, 0)) return TCX_DROP;
        if (skb_store_bytes(skb, IPV4_ADDRESSES + 4, to->destination, 4, 0)) return TCX_DROP;
    } else {
        __u32 addresses = (__u32)csum_diff(key.source, 32, to->source, 32, 0);
        if (l4_csum_replace(skb, transport + TCP_CHECK, 0, addresses, BPF_F_PSEUDO_HDR)) return TCX_DROP;
        if (l4_csum_replace(skb, transport + TCP_CHECK, 0, ports, 0)) return TCX_DROP;
        if (skb_store_bytes(skb, IPV6_ADDRESSES, to->source, 32, 0)) return TCX_DROP;
    }
    if (skb_store_bytes(skb, transport, &to->source_port, 4, 0)) return TCX_DROP;
    return (int)redirect(skb->ifindex, BPF_F_INGRESS);
}

// A GPL-compatible licence string, as the kernel asks of programs that call its helpers.
char licence[] SEC("license") = "Dual MIT/GPL";
