/// Counters of one translator: the flows in each state now, and totals since it started.
/// Reading them is not on the packet path (the flow counts walk the table), so a caller can
/// log them every few seconds, not per packet.
public struct NATStatistics: Hashable, Sendable {
    // MARK: Flows now
    public internal(set) var pendingFlows = 0
    public internal(set) var admittedFlows = 0
    public internal(set) var establishedFlows = 0
    public internal(set) var closingFlows = 0
    public var liveFlows: Int { pendingFlows + admittedFlows + establishedFlows + closingFlows }

    // MARK: Totals
    /// Pending entries created (SYNs held).
    public internal(set) var flowsOpened = 0
    /// SYNs injected by `admit`.
    public internal(set) var flowsAdmitted = 0
    /// New flows refused with a RST|ACK because `maximumFlows` or the NAT ports ran out.
    public internal(set) var refusedTableFull = 0
    /// RST|ACKs written by `refuse`.
    public internal(set) var refusedByCaller = 0
    /// ICMP errors written by `unreachable`.
    public internal(set) var unreachableSent = 0
    /// RSTs forged for packets of flows the table does not know.
    public internal(set) var resetsForUnknownFlows = 0
    public internal(set) var expiredPending = 0
    public internal(set) var expiredAdmitted = 0
    /// Closing entries freed after their hold.
    public internal(set) var releasedAfterHold = 0
    /// Packets rewritten app → listener and listener → app.
    public internal(set) var translatedForward = 0
    public internal(set) var translatedReply = 0
    /// Packets dropped, by reason.
    public internal(set) var skipped = SkipCounts()
}

/// One counter per `SkipReason`, in storage allocated once: counting a dropped packet
/// increments in place.
public struct SkipCounts: Hashable, Sendable {
    private var counts = [Int](repeating: 0, count: SkipReason.allCases.count)

    public subscript(reason: SkipReason) -> Int { counts[reason.rawValue] }

    public var total: Int { counts.reduce(0, +) }

    mutating func record(_ reason: SkipReason) {
        counts[reason.rawValue] &+= 1
    }
}

/// What both family tables write to: the totals, the flow count that `maximumFlows` bounds
/// across families, and the limits.
struct NATLedger {
    let configuration: NATConfiguration
    var statistics = NATStatistics()
    var liveFlows = 0
}
