import HyperionWire

/// What to do with one captured frame.
public enum KnockDecision: Hashable, Sendable {
    /// A frame this host sent; packet taps see those too. Not counted as a rejection.
    case ignoredOutgoing
    case rejected(RejectionReason)
    /// A valid knock. `openFirewall` is false when the source is still in its cooldown:
    /// the knock is fine, the firewall just does not need a second call.
    case accepted(source: IPAddress, requestedPort: UInt16, openFirewall: Bool)
}

/// The SPA gate as a pure state machine: a captured frame and its `sockaddr_ll` facts in,
/// a decision out. The sniffer only does I/O around it, so everything from link type to
/// cooldown is tested without sockets, and with an injected clock.
public struct KnockProcessor: Sendable {
    /// `sll_pkttype` values (linux/if_packet.h).
    public static let packetHost: UInt8 = 0
    public static let packetOutgoing: UInt8 = 4
    /// `sll_hatype` values (linux/if_arp.h) whose frames start with an Ethernet header.
    public static let hardwareEthernet: UInt16 = 1
    public static let hardwareLoopback: UInt16 = 772

    public let knockPort: UInt16
    public let clock: UnixClock
    private var verifier: KnockVerifier
    private var cooldown: KnockCooldown
    public private(set) var tally: RefusalTally<RejectionReason>
    /// Frames the kernel dropped because the socket buffer was full, since the last summary.
    private var pendingKernelDrops: UInt64 = 0

    public init(
        knockPort: UInt16, verifier: KnockVerifier, cooldownSeconds: UInt64, clock: UnixClock,
        summaryIntervalNanoseconds: UInt64, monotonicNow: UInt64
    ) {
        self.knockPort = knockPort
        self.verifier = verifier
        self.clock = clock
        self.cooldown = KnockCooldown(cooldownSeconds: cooldownSeconds)
        self.tally = RefusalTally(counting: "datagram", intervalNanoseconds: summaryIntervalNanoseconds, now: monotonicNow)
    }

    /// `frame` holds the captured bytes, `frameLength` the length the kernel reported
    /// (larger than `frame.count` when MSG_TRUNC cut it).
    public mutating func process(
        frame: UnsafeRawBufferPointer, frameLength: Int, packetType: UInt8, hardwareType: UInt16
    ) -> KnockDecision {
        let decision = decide(frame: frame, frameLength: frameLength, packetType: packetType, hardwareType: hardwareType)
        if case .rejected(let reason) = decision { tally.record(reason) }
        return decision
    }

    public mutating func recordKernelDrops(_ count: UInt64) { pendingKernelDrops &+= count }

    /// One line per interval: the refusals by reason, then what the kernel dropped.
    public mutating func summaryIfDue(monotonicNow: UInt64) -> String? {
        guard tally.intervalEnded(now: monotonicNow) else { return nil }
        let refused = tally.takeSummary()
        let drops = pendingKernelDrops
        pendingKernelDrops = 0
        guard drops > 0 else { return refused }
        guard let refused else {
            return "the kernel dropped \(drops) datagram\(drops == 1 ? "" : "s") in the last \(tally.intervalText) (receive buffer full)"
        }
        return "\(refused); the kernel dropped \(drops) more (receive buffer full)"
    }

    private mutating func decide(
        frame: UnsafeRawBufferPointer, frameLength: Int, packetType: UInt8, hardwareType: UInt16
    ) -> KnockDecision {
        if packetType == Self.packetOutgoing { return .ignoredOutgoing }
        guard frameLength <= frame.count else { return .rejected(.truncated) }
        guard hardwareType == Self.hardwareEthernet || hardwareType == Self.hardwareLoopback else {
            return .rejected(.unsupportedLinkType)
        }
        guard packetType == Self.packetHost else { return .rejected(.notForThisHost) }
        guard let datagram = CapturedPacketParser.parse(frame) else { return .rejected(.notAUDPDatagram) }
        guard datagram.destinationPort == knockPort else { return .rejected(.wrongPort) }
        guard datagram.source.isUsableSource else { return .rejected(.unusableSource) }
        // Length and magic are checked before any crypto, so junk of the wrong size or
        // without "HVPK" costs a compare, not a ChaCha20-Poly1305 open.
        switch verifier.verify(UnsafeRawBufferPointer(rebasing: frame[datagram.payload])) {
        case .failure(let rejection):
            return .rejected(.knock(rejection))
        case .success(let contents):
            let open = cooldown.admit(datagram.source, now: clock.now())
            return .accepted(source: datagram.source, requestedPort: contents.tunnelPort, openFirewall: open)
        }
    }
}
