/// The addresses one family is translated with: the TUN's own address `tun`, where the
/// listener is bound (`tun:listenerPort`), and a virtual `peer` in the same prefix that is
/// assigned to nothing. Every translated flow appears to the listener as `peer:natPort`.
public struct FamilyAddresses: Hashable, Sendable {
    public var family: IPFamily
    public var tun: NATAddress
    public var peer: NATAddress
    public var listenerPort: UInt16

    /// Nil unless both addresses have the same length (4 or 16 bytes) and differ: with the
    /// peer equal to the tun address the kernel would see its own address as the source.
    public init?(tun: [UInt8], peer: [UInt8], listenerPort: UInt16) {
        guard tun.count == peer.count, tun != peer,
              let tunAddress = NATAddress(bytes: tun), let peerAddress = NATAddress(bytes: peer)
        else { return nil }
        self.family = tun.count == 4 ? .v4 : .v6
        self.tun = tunAddress
        self.peer = peerAddress
        self.listenerPort = listenerPort
    }
}

/// Everything the translator is bounded by. Either family may be absent (a NAT may serve
/// IPv4 only); packets of an absent family are skipped as `.familyNotServed`.
public struct NATConfiguration: Sendable {
    /// Must have `family == .v4` when set.
    public var v4: FamilyAddresses?
    /// Must have `family == .v6` when set.
    public var v6: FamilyAddresses?
    /// The NAT ports handed out for the peer, per family. One peer gives at most ~64k flows.
    public var ports: ClosedRange<UInt16> = 1024...65535
    /// Live entries (all states, closing included) across both families. A new flow beyond
    /// it is refused with a forged RST|ACK; a live entry is never evicted to make room.
    public var maximumFlows: Int = 16384
    /// A held SYN with no `admit`/`refuse`/`unreachable` by then expires.
    public var pendingTimeout: Duration = .seconds(30)
    /// An admitted flow whose `accepted` never came by then expires (the kernel dropped the
    /// injected SYN, or the listener's backlog overflowed).
    public var admittedTimeout: Duration = .seconds(30)
    /// After `closed`, the port still translates stray packets (the kernel's FIN/ACK
    /// exchange, TIME-WAIT) for this long before it is freed for reuse.
    public var closedHold: Duration = .seconds(120)
    /// A SYN longer than this is not held (real SYNs are 40–80 bytes; TCP Fast Open data
    /// could make one larger, and each held copy is memory an app controls).
    public var maximumHeldSYNLength: Int = 256

    public init(v4: FamilyAddresses? = nil, v6: FamilyAddresses? = nil) {
        self.v4 = v4
        self.v6 = v6
    }

    func addresses(_ family: IPFamily) -> FamilyAddresses? {
        family == .v4 ? v4 : v6
    }
}
