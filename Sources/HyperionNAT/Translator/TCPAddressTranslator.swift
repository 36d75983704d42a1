/// The address rewriter of the L3 TUN mode, where the host's own TCP stack terminates every
/// connection: packets read from the TUN are rewritten in place and written back, so that
/// an app's connection to `D:dport` arrives at a local listener as one from `peer:natPort`,
/// and the listener's replies reach the app as if from `D:dport`.
///
/// A pure state machine: no I/O, no timers. The caller passes each packet with the clock's
/// `now`, writes what the verdict says, and drives the flow's life with `admit`, `refuse`,
/// `unreachable`, `accepted`, `closed` and, every second or so, `expire`.
///
/// Life of a flow: the first pure SYN of an unknown connection is held (`pending`) while
/// the caller opens its stream; `admit` injects it (`admitted`), the listener's accept makes
/// it `established`, `closed` starts the hold of its port (`closing`), after which the port
/// goes to the back of the free list. A pending flow can instead be refused (RST|ACK, so
/// `connect()` fails with ECONNREFUSED) or answered with ICMP unreachable (EHOSTUNREACH).
///
/// Everything is bounded: `maximumFlows` entries (a new flow beyond it is refused, never
/// made room for by evicting a live one), the NAT ports, and each held SYN's length.
///
/// IPv4 and IPv6 are served independently, each only if configured; a flow is named by
/// its family and NAT port (`FlowHandle`).
public struct TCPAddressTranslator {
    public let configuration: NATConfiguration
    private var v4: FamilyTable?
    private var v6: FamilyTable?
    private var ledger: NATLedger

    public init(configuration: NATConfiguration) {
        precondition(configuration.v4.map { $0.family == .v4 } ?? true, "v4 needs 4-byte addresses")
        precondition(configuration.v6.map { $0.family == .v6 } ?? true, "v6 needs 16-byte addresses")
        precondition(configuration.maximumFlows >= 0, "maximumFlows must not be negative")
        self.configuration = configuration
        v4 = configuration.v4.map { FamilyTable($0, ports: configuration.ports) }
        v6 = configuration.v6.map { FamilyTable($0, ports: configuration.ports) }
        ledger = NATLedger(configuration: configuration)
    }

    /// Decides on one packet read from the TUN, rewriting it in place when it belongs to a
    /// flow. `packet` must be exactly one IP packet (after any virtio header); its IP length
    /// must equal `packet.count`. It is not touched unless the verdict is `.rewritten`.
    public mutating func process(
        _ packet: UnsafeMutableRawBufferPointer, checksum: ChecksumState, now: ContinuousClock.Instant
    ) -> PacketVerdict {
        let verdict: PacketVerdict
        switch TCPSegmentParser.parse(UnsafeRawBufferPointer(packet)) {
        case .skip(let reason):
            verdict = .dropped(reason)
        case .segment(let segment):
            verdict = withTable(segment.family) { table, ledger in
                table.process(packet, segment, checksum: checksum, now: now, ledger: &ledger)
            } ?? .dropped(.familyNotServed)
        }
        if case .dropped(let reason) = verdict {
            ledger.statistics.skipped.record(reason)
        }
        return verdict
    }

    /// Injects the held SYN: the latest copy the app sent, rewritten to `peer:natPort →
    /// tun:listener` with complete checksums (write it without NEEDS_CSUM). The flow is then
    /// admitted until `accepted` or `admittedTimeout`. Nil unless the flow is pending.
    public mutating func admit(_ handle: FlowHandle, now: ContinuousClock.Instant) -> [UInt8]? {
        withTable(handle.family) { $0.admit(handle.natPort, now: now, ledger: &$1) } ?? nil
    }

    /// Refuses a pending flow: a RST|ACK from the destination with `seq = 0`, `ack = ISN + 1`
    /// (+ the SYN's data), and the entry is freed. Nil unless the flow is pending.
    public mutating func refuse(_ handle: FlowHandle) -> [UInt8]? {
        withTable(handle.family) { $0.refuse(handle.natPort, ledger: &$1) } ?? nil
    }

    /// Answers a pending flow with ICMP host unreachable (IPv4 type 3 code 1) or ICMPv6
    /// address unreachable (type 1 code 3) from the destination, quoting the SYN as the app
    /// sent it, and frees the entry. Nil unless the flow is pending.
    public mutating func unreachable(_ handle: FlowHandle) -> [UInt8]? {
        withTable(handle.family) { $0.unreachable(handle.natPort, ledger: &$1) } ?? nil
    }

    /// The listener accepted `peer:natPort`: admitted → established, which has no timeout.
    /// False if the flow was not admitted (then the caller should close that socket).
    @discardableResult
    public mutating func accepted(_ handle: FlowHandle, now: ContinuousClock.Instant) -> Bool {
        withTable(handle.family) { table, _ in table.accepted(handle.natPort) } ?? false
    }

    /// The relay of a flow ended (or its stream failed): the port keeps translating stray
    /// packets for `closedHold`, then is freed by `expire`.
    @discardableResult
    public mutating func closed(_ handle: FlowHandle, now: ContinuousClock.Instant) -> Bool {
        withTable(handle.family) { $0.closed(handle.natPort, now: now, ledger: $1) } ?? false
    }

    /// Frees the flows whose time is up and returns the pending and admitted ones among
    /// them, whose streams the caller should now drop. Closing flows past their hold are
    /// freed silently.
    public mutating func expire(now: ContinuousClock.Instant) -> [FlowHandle] {
        (withTable(.v4) { $0.expire(now: now, ledger: &$1) } ?? [])
            + (withTable(.v6) { $0.expire(now: now, ledger: &$1) } ?? [])
    }

    /// The original source and destination of a live flow (any state, closing included).
    public func flow(_ handle: FlowHandle) -> FlowRequest? {
        guard let table = table(handle.family), let flow = table.flows[handle.natPort] else { return nil }
        return table.request(handle.natPort, flow)
    }

    /// An established flow's two rewrites (`FlowTranslation`), the app's direction first;
    /// nil in any other state.
    public func translations(_ handle: FlowHandle) -> [FlowTranslation]? {
        table(handle.family)?.translations(handle.natPort)
    }

    /// The state of a live flow, nil once it is freed.
    public func state(_ handle: FlowHandle) -> NATFlowState? {
        table(handle.family)?.flows[handle.natPort]?.state
    }

    /// Totals, plus the flows by state now (counted by walking the table).
    public var statistics: NATStatistics {
        var statistics = ledger.statistics
        v4?.count(into: &statistics)
        v6?.count(into: &statistics)
        return statistics
    }

    // MARK: Tables

    private func table(_ family: IPFamily) -> FamilyTable? {
        family == .v4 ? v4 : v6
    }

    /// Runs `body` on the family's table in place (no copy of its dictionaries), or returns
    /// nil when the family is not configured.
    private mutating func withTable<Result>(
        _ family: IPFamily, _ body: (inout FamilyTable, inout NATLedger) -> Result
    ) -> Result? {
        switch family {
        case .v4:
            guard v4 != nil else { return nil }
            return body(&v4!, &ledger)
        case .v6:
            guard v6 != nil else { return nil }
            return body(&v6!, &ledger)
        }
    }
}
