/// Why a packet was not rewritten and nothing is to be written for it. Every reason is
/// counted in `NATStatistics.skipped`, so a misrouted kind of traffic shows up as a number
/// rather than as silence.
public enum SkipReason: Int, Hashable, Sendable, CaseIterable {
    // MARK: Not a packet this translator could read
    /// Shorter than the fixed IP or TCP header.
    case truncated
    /// IPv4 total length or IPv6 payload length + 40 differs from the bytes given; a reader
    /// that truncated the packet must not have its remains rewritten.
    case lengthMismatch
    /// The version nibble is neither 4 nor 6.
    case unknownVersion
    /// IPv4 IHL below 5 or past the packet.
    case badHeaderLength
    /// TCP data offset below 5 or past the packet.
    case invalidTCPHeader

    // MARK: Readable, but not translated
    /// IPv4 with MF set or a fragment offset: only the first fragment has ports.
    case fragment
    /// IPv6 with an extension header; they are not walked.
    case extensionHeader
    case udp
    case icmp
    /// ICMPv6 router/neighbour solicitation and advertisement, redirect.
    case neighbourDiscovery
    case otherProtocol
    case multicast
    /// The configuration has no addresses for this family.
    case familyNotServed
    /// To the tun address, or from the peer: a packet that would loop through the NAT.
    case loop
    /// To the peer but not from `tun:listenerPort`; nothing else answers for the peer.
    case notFromListener

    // MARK: Flow decisions
    /// A reply for a NAT port with no live flow (or one still pending).
    case unknownReply
    /// A RST of an unknown flow is never answered with a RST (RFC 793).
    case resetOfUnknownFlow
    /// A non-SYN packet of a flow whose SYN is still held.
    case pendingFlow
    /// A SYN retransmitted while its first copy is held; the latest copy replaces it.
    case synRetransmitWhilePending
    /// A SYN longer than `maximumHeldSYNLength`.
    case oversizedSYN
}
