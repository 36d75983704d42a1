/// What the caller tells the table about a flow, and what time does to it. Each call is
/// valid in one state only; in any other it changes nothing and says so (nil or false),
/// because the caller's stream and our entry may race (a timeout against an answer).
extension FamilyTable {
    /// pending → admitted: the held SYN, rewritten, with every checksum computed in full.
    /// A SYN that arrived with a partial checksum is finished here, because the caller
    /// writes it without the virtio header it came with.
    mutating func admit(_ port: UInt16, now: ContinuousClock.Instant, ledger: inout NATLedger) -> [UInt8]? {
        guard var flow = flows[port], flow.state == .pending, let held = flow.held else { return nil }
        var bytes = held.bytes
        let translated = translatedEndpoints(natPort: port)
        bytes.withUnsafeMutableBytes { packet in
            guard case .segment(let segment) = TCPSegmentParser.parse(UnsafeRawBufferPointer(packet)) else {
                preconditionFailure("a held SYN no longer parses")
            }
            SegmentRewriter.rewrite(packet, segment, source: translated.source,
                                    destination: translated.destination, checksum: held.checksum)
            SegmentRewriter.fillChecksums(packet, family: family, transportOffset: segment.transportOffset,
                                          protocolNumber: PacketLayout.protocolTCP,
                                          checksumOffset: PacketLayout.tcpChecksumOffset, pseudoHeader: true)
        }
        flow.state = .admitted
        flow.deadline = now + ledger.configuration.admittedTimeout
        flow.held = nil
        flows[port] = flow
        ledger.statistics.flowsAdmitted &+= 1
        return bytes
    }

    /// pending → freed, with the RST|ACK that refuses the app's SYN.
    mutating func refuse(_ port: UInt16, ledger: inout NATLedger) -> [UInt8]? {
        guard let flow = flows[port], flow.state == .pending, let held = flow.held else { return nil }
        let packet = refusal(flow.key, held)
        release(port, ledger: &ledger)
        ledger.statistics.refusedByCaller &+= 1
        return packet
    }

    /// pending → freed, with an ICMP error from the destination that quotes the SYN as the
    /// app sent it, so its kernel can match the error to the socket.
    mutating func unreachable(_ port: UInt16, ledger: inout NATLedger) -> [UInt8]? {
        guard let flow = flows[port], flow.state == .pending, let held = flow.held else { return nil }
        let packet = ForgedPacket.unreachable(family, from: flow.key.destination.address,
                                              to: flow.key.source.address, quoting: held.bytes)
        release(port, ledger: &ledger)
        ledger.statistics.unreachableSent &+= 1
        return packet
    }

    /// admitted → established.
    mutating func accepted(_ port: UInt16) -> Bool {
        guard flows[port]?.state == .admitted else { return false }
        flows[port]!.state = .established
        return true
    }

    /// Any live state → closing, held until `now + closedHold`. A second `closed` keeps the
    /// first deadline, so repeating it cannot hold a port forever.
    mutating func closed(_ port: UInt16, now: ContinuousClock.Instant, ledger: NATLedger) -> Bool {
        guard let state = flows[port]?.state, state != .closing else { return false }
        flows[port]!.state = .closing
        flows[port]!.deadline = now + ledger.configuration.closedHold
        flows[port]!.held = nil
        return true
    }

    /// Frees every non-established flow whose deadline is past, oldest deadline first (so
    /// the free list gets them back in the order they ended), and returns the pending and
    /// admitted ones: their streams are the caller's to drop. Walks the whole table, which
    /// is bounded; call it every second or so, not per packet.
    mutating func expire(now: ContinuousClock.Instant, ledger: inout NATLedger) -> [FlowHandle] {
        let due = flows
            .filter { $0.value.state != .established && $0.value.deadline <= now }
            .map { (port: $0.key, deadline: $0.value.deadline, state: $0.value.state) }
            .sorted { ($0.deadline, $0.port) < ($1.deadline, $1.port) }
        var expired: [FlowHandle] = []
        for entry in due {
            release(entry.port, ledger: &ledger)
            switch entry.state {
            case .pending:
                ledger.statistics.expiredPending &+= 1
                expired.append(FlowHandle(family: family, natPort: entry.port))
            case .admitted:
                ledger.statistics.expiredAdmitted &+= 1
                expired.append(FlowHandle(family: family, natPort: entry.port))
            case .closing:
                ledger.statistics.releasedAfterHold &+= 1
            case .established:
                preconditionFailure("an established flow has no deadline")
            }
        }
        return expired
    }

    /// Adds this table's flows to the counts by state.
    func count(into statistics: inout NATStatistics) {
        for flow in flows.values {
            switch flow.state {
            case .pending: statistics.pendingFlows += 1
            case .admitted: statistics.admittedFlows += 1
            case .established: statistics.establishedFlows += 1
            case .closing: statistics.closingFlows += 1
            }
        }
    }

    private mutating func release(_ port: UInt16, ledger: inout NATLedger) {
        if free(port) != nil {
            ledger.liveFlows -= 1
        }
    }
}
