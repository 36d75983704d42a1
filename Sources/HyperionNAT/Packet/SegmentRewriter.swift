/// Rewrites a packet's addresses and ports in place and brings its checksums along by
/// RFC 1624 updates, never by summing the payload: a GSO super-packet of 64 KiB costs the
/// same as a bare ACK, and its checksum is not verified (the kernel does that later).
enum SegmentRewriter {
    static func rewrite(
        _ packet: UnsafeMutableRawBufferPointer, _ segment: TCPSegment,
        source: NATEndpoint, destination: NATEndpoint, checksum: ChecksumState
    ) {
        let family = segment.family
        var addressDelta = OnesComplementSum()
        addressDelta.add(source.address)
        addressDelta.add(destination.address)
        addressDelta.subtract(segment.source)
        addressDelta.subtract(segment.destination)

        if family == .v4 {
            let field = PacketLayout.ipv4ChecksumOffset
            packet.setU16(addressDelta.updating(checksum: packet.u16(at: field)), at: field)
        }
        let tcp = segment.transportOffset
        let field = tcp + PacketLayout.tcpChecksumOffset
        switch checksum {
        case .complete:
            var delta = addressDelta
            delta.add(source.port)
            delta.add(destination.port)
            delta.subtract(segment.sourcePort)
            delta.subtract(segment.destinationPort)
            packet.setU16(delta.updating(checksum: packet.u16(at: field)), at: field)
        case .partial:
            packet.setU16(addressDelta.updating(partialSum: packet.u16(at: field)), at: field)
        }
        packet.setAddress(source.address, family, at: PacketLayout.sourceOffset(family))
        packet.setAddress(destination.address, family, at: PacketLayout.destinationOffset(family))
        packet.setU16(source.port, at: tcp)
        packet.setU16(destination.port, at: tcp + 2)
    }

    /// Computes every checksum of a packet from scratch: the IPv4 header's, and the
    /// transport's at `transportOffset + checksumOffset` (with the pseudo-header when
    /// `pseudoHeader`; ICMPv4 has none). For packets this module writes itself, and for a
    /// held SYN that arrived with only the pseudo-header sum but is injected finished.
    static func fillChecksums(
        _ packet: UnsafeMutableRawBufferPointer, family: IPFamily, transportOffset: Int,
        protocolNumber: UInt8, checksumOffset: Int, pseudoHeader: Bool
    ) {
        if family == .v4 {
            packet.setU16(0, at: PacketLayout.ipv4ChecksumOffset)
            var header = OnesComplementSum()
            header.add(bytes: UnsafeRawBufferPointer(rebasing: packet[0..<transportOffset]))
            packet.setU16(header.checksum, at: PacketLayout.ipv4ChecksumOffset)
        }
        let transport = UnsafeRawBufferPointer(rebasing: packet[transportOffset...])
        packet.setU16(0, at: transportOffset + checksumOffset)
        var sum = OnesComplementSum()
        if pseudoHeader {
            let readable = UnsafeRawBufferPointer(packet)
            sum.add(address(readable, family, at: PacketLayout.sourceOffset(family)))
            sum.add(address(readable, family, at: PacketLayout.destinationOffset(family)))
            sum.add(UInt16(protocolNumber))
            sum.add(UInt16(truncatingIfNeeded: transport.count >> 16))
            sum.add(UInt16(truncatingIfNeeded: transport.count))
        }
        sum.add(bytes: transport)
        packet.setU16(sum.checksum, at: transportOffset + checksumOffset)
    }

    static func address(_ packet: UnsafeRawBufferPointer, _ family: IPFamily, at offset: Int) -> NATAddress {
        family == .v4
            ? NATAddress(high: 0, low: UInt64(packet.u32(at: offset)))
            : NATAddress(high: packet.u64(at: offset), low: packet.u64(at: offset + 8))
    }
}

extension UnsafeMutableRawBufferPointer {
    func u16(at offset: Int) -> UInt16 { UnsafeRawBufferPointer(self).u16(at: offset) }

    func setU16(_ value: UInt16, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    func setU32(_ value: UInt32, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    func setAddress(_ address: NATAddress, _ family: IPFamily, at offset: Int) {
        switch family {
        case .v4:
            setU32(UInt32(truncatingIfNeeded: address.low), at: offset)
        case .v6:
            storeBytes(of: address.high.bigEndian, toByteOffset: offset, as: UInt64.self)
            storeBytes(of: address.low.bigEndian, toByteOffset: offset + 8, as: UInt64.self)
        }
    }
}
