// A measurement prototype, not a feature: one established flow's packets are rewritten at
// hyperion0's tc egress hook and turned back in at its ingress (bpf_redirect), so they never
// cross the TUN to our packet thread. IPv4 only; the flow's two 4-tuples are compiled in
// (-D, in network byte order, see measure.py); SYN, FIN and RST still take the TUN. What
// it rewrites is what the NAT (Sources/HyperionNAT) would: application <-> server becomes
// virtual peer:NAT port <-> TUN address:listener port, and back.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <stddef.h>

#define SEC(n) __attribute__((section(n), used))
static long (*l3_csum_replace)(struct __sk_buff *, __u32, __u64, __u64, __u64) = (void *)BPF_FUNC_l3_csum_replace;
static long (*l4_csum_replace)(struct __sk_buff *, __u32, __u64, __u64, __u64) = (void *)BPF_FUNC_l4_csum_replace;
static long (*store_bytes)(struct __sk_buff *, __u32, const void *, __u32, __u64) = (void *)BPF_FUNC_skb_store_bytes;
static long (*redirect)(__u32, __u64) = (void *)BPF_FUNC_redirect;

#define IPOFF(f) offsetof(struct iphdr, f)
#define TCPOFF(f) (sizeof(struct iphdr) + offsetof(struct tcphdr, f))

#define REWRITE(os, od, osp, odp, ns, nd, nsp, ndp) do { \
    __be32 ns_ = (ns), nd_ = (nd); __be16 nsp_ = (nsp), ndp_ = (ndp); \
    l4_csum_replace(skb, TCPOFF(check), os, ns_, BPF_F_PSEUDO_HDR | 4); \
    l4_csum_replace(skb, TCPOFF(check), od, nd_, BPF_F_PSEUDO_HDR | 4); \
    l4_csum_replace(skb, TCPOFF(check), osp, nsp_, 2); \
    l4_csum_replace(skb, TCPOFF(check), odp, ndp_, 2); \
    l3_csum_replace(skb, IPOFF(check), os, ns_, 4); \
    l3_csum_replace(skb, IPOFF(check), od, nd_, 4); \
    store_bytes(skb, IPOFF(saddr), &ns_, 4, 0); \
    store_bytes(skb, IPOFF(daddr), &nd_, 4, 0); \
    store_bytes(skb, TCPOFF(source), &nsp_, 2, 0); \
    store_bytes(skb, TCPOFF(dest), &ndp_, 2, 0); \
    return redirect(skb->ifindex, BPF_F_INGRESS); } while (0)

SEC("tc")
int fast(struct __sk_buff *skb) {
    void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
    struct iphdr *ip = data;
    if ((void *)(ip + 1) > end) return TC_ACT_OK;
    if (ip->version != 4 || ip->ihl != 5 || ip->protocol != IPPROTO_TCP) return TC_ACT_OK;
    struct tcphdr *tcp = (void *)(ip + 1);
    if ((void *)(tcp + 1) > end) return TC_ACT_OK;
    if (tcp->syn || tcp->fin || tcp->rst) return TC_ACT_OK;
    __be32 s = ip->saddr, d = ip->daddr;
    __be16 sp = tcp->source, dp = tcp->dest;
    // app -> server becomes peer:nat -> tun:listener
    if (s == APP_ADDR && d == SRV_ADDR && sp == APP_PORT && dp == SRV_PORT)
        REWRITE(s, d, sp, dp, PEER_ADDR, TUN_ADDR, NAT_PORT, LST_PORT);
    // tun:listener -> peer:nat becomes server -> app
    if (s == TUN_ADDR && d == PEER_ADDR && sp == LST_PORT && dp == NAT_PORT)
        REWRITE(s, d, sp, dp, SRV_ADDR, APP_ADDR, SRV_PORT, APP_PORT);
    return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
