/// The per-packet decisions of one family. On the path of an established flow this is two
/// dictionary lookups and an in-place rewrite: no allocation, no copy of the packet.
extension FamilyTable {
    mutating func process(
        _ packet: UnsafeMutableRawBufferPointer, _ segment: TCPSegment,
        checksum: ChecksumState, now: ContinuousClock.Instant, ledger: inout NATLedger
    ) -> PacketVerdict {
        if segment.destination == addresses.peer {
            return reply(packet, segment, checksum: checksum, ledger: &ledger)
        }
        // Our own listener's address, or a packet already in the peer's name: writing
        // either back would only loop.
        if segment.destination == addresses.tun || segment.source == addresses.peer {
            return .dropped(.loop)
        }
        return forward(packet, segment, checksum: checksum, now: now, ledger: &ledger)
    }

    /// `S:sport → D:dport` from the app becomes `peer:n → tun:listener`.
    private mutating func forward(
        _ packet: UnsafeMutableRawBufferPointer, _ segment: TCPSegment,
        checksum: ChecksumState, now: ContinuousClock.Instant, ledger: inout NATLedger
    ) -> PacketVerdict {
        let key = ForwardKey(segment)
        if let port = forward[key], let state = flows[port]?.state {
            switch state {
            case .pending:
                guard segment.isPureSYN else { return .dropped(.pendingFlow) }
                // The latest copy is the one injected: its timestamp option is the newest.
                if packet.count <= ledger.configuration.maximumHeldSYNLength {
                    flows[port]!.held = HeldSYN(packet, segment, checksum: checksum)
                }
                return .dropped(.synRetransmitWhilePending)
            case .closing where segment.isPureSYN:
                break  // a new connection on the same 4-tuple: a new flow, on a new port
            case .admitted, .established, .closing:
                let translated = translatedEndpoints(natPort: port)
                SegmentRewriter.rewrite(packet, segment, source: translated.source,
                                        destination: translated.destination, checksum: checksum)
                ledger.statistics.translatedForward &+= 1
                return .rewritten
            }
        }
        guard segment.isPureSYN else {
            if segment.has(TCPSegment.flagRST) { return .dropped(.resetOfUnknownFlow) }
            ledger.statistics.resetsForUnknownFlows &+= 1
            return .reply(reset(answering: segment))
        }
        guard packet.count <= ledger.configuration.maximumHeldSYNLength else { return .dropped(.oversizedSYN) }
        let held = HeldSYN(packet, segment, checksum: checksum)
        guard ledger.liveFlows < ledger.configuration.maximumFlows,
              let port = open(key, held: held, deadline: now + ledger.configuration.pendingTimeout)
        else {
            ledger.statistics.refusedTableFull &+= 1
            return .reply(refusal(key, held))
        }
        ledger.liveFlows += 1
        ledger.statistics.flowsOpened &+= 1
        return .held(request(port, flows[port]!))
    }

    /// `tun:listener → peer:n` from the listener becomes `D:dport → S:sport`.
    private mutating func reply(
        _ packet: UnsafeMutableRawBufferPointer, _ segment: TCPSegment,
        checksum: ChecksumState, ledger: inout NATLedger
    ) -> PacketVerdict {
        guard segment.source == addresses.tun, segment.sourcePort == addresses.listenerPort else {
            return .dropped(.notFromListener)
        }
        // A pending flow's SYN never reached the kernel, so nothing there can answer it.
        guard let flow = flows[segment.destinationPort], flow.state != .pending else {
            return .dropped(.unknownReply)
        }
        SegmentRewriter.rewrite(packet, segment, source: flow.key.destination,
                                destination: flow.key.source, checksum: checksum)
        ledger.statistics.translatedReply &+= 1
        return .rewritten
    }

    /// RFC 793's reset for a segment of no connection, sent from where it was going: with
    /// ACK set, `seq = SEG.ACK` and RST alone; otherwise `seq = 0`, `ack = SEG.SEQ + SEG.LEN`
    /// and RST|ACK.
    private func reset(answering segment: TCPSegment) -> [UInt8] {
        let from = NATEndpoint(address: segment.destination, port: segment.destinationPort)
        let to = NATEndpoint(address: segment.source, port: segment.sourcePort)
        if segment.has(TCPSegment.flagACK) {
            return ForgedPacket.tcp(family, from: from, to: to, sequence: segment.acknowledgment,
                                    acknowledgment: 0, flags: TCPSegment.flagRST)
        }
        return ForgedPacket.tcp(family, from: from, to: to, sequence: 0,
                                acknowledgment: segment.sequence &+ segment.sequenceLength,
                                flags: TCPSegment.flagRST | TCPSegment.flagACK)
    }

    /// The RST|ACK that makes the app's `connect()` fail with ECONNREFUSED: from the
    /// destination it dialled, acknowledging its SYN (ISN + 1 + any SYN data).
    func refusal(_ key: ForwardKey, _ held: HeldSYN) -> [UInt8] {
        ForgedPacket.tcp(family, from: key.destination, to: key.source, sequence: 0,
                         acknowledgment: held.sequence &+ held.sequenceLength,
                         flags: TCPSegment.flagRST | TCPSegment.flagACK)
    }
}

extension HeldSYN {
    /// A copy of the packet as the app sent it (the one allocation of a new flow).
    init(_ packet: UnsafeMutableRawBufferPointer, _ segment: TCPSegment, checksum: ChecksumState) {
        self.init(bytes: Array(packet), checksum: checksum,
                  sequence: segment.sequence, sequenceLength: segment.sequenceLength)
    }
}
