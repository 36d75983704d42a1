#if os(Linux)
import HyperionTun
import Testing

@Suite struct TunOffloadHeaderTests {
    /// A TSO IPv4 super-packet's header as the kernel writes it on a little-endian host:
    /// NEEDS_CSUM, GSO tcpv4, hdr_len 66, gso_size 1448, csum_start 20, csum_offset 16.
    static let tcpv4Bytes: [UInt8] = [0x01, 0x01, 66, 0, 0xA8, 0x05, 20, 0, 16, 0]

    @Test func parsesTheFields() throws {
        let header = try #require(Self.tcpv4Bytes.withUnsafeBytes { TunOffloadHeader($0) })
        #expect(header.needsChecksum)
        #expect(header.flags == .needsChecksum)
        #expect(header.gsoType == .tcpv4)
        #expect(header.gsoType.kind == .tcpv4 && !header.gsoType.ecn)
        #expect(header.headerLength == 66)
        #expect(header.gsoSize == 1448)
        #expect(header.checksumStart == 20)
        #expect(header.checksumOffset == 16)
    }

    @Test func writesTheSameBytesItParsed() throws {
        let header = try #require(Self.tcpv4Bytes.withUnsafeBytes { TunOffloadHeader($0) })
        var bytes = [UInt8](repeating: 0xEE, count: TunOffloadHeader.size + 2)
        bytes.withUnsafeMutableBytes { header.write(to: $0) }
        #expect(Array(bytes[..<TunOffloadHeader.size]) == Self.tcpv4Bytes)
        #expect(bytes[TunOffloadHeader.size...].allSatisfy { $0 == 0xEE }, "wrote past the header")
    }

    @Test func thePlainHeaderIsAllZero() {
        var bytes = [UInt8](repeating: 0xFF, count: TunOffloadHeader.size)
        bytes.withUnsafeMutableBytes { TunOffloadHeader.plain.write(to: $0) }
        #expect(bytes == [UInt8](repeating: 0, count: 10))
        #expect(!TunOffloadHeader.plain.needsChecksum)
        #expect(TunOffloadHeader.plain.gsoType == .none)
    }

    @Test func theECNBitIsKeptApartFromTheKind() throws {
        let bytes: [UInt8] = [0, 0x84, 0, 0, 0, 0, 0, 0, 0, 0]
        let header = try #require(bytes.withUnsafeBytes { TunOffloadHeader($0) })
        #expect(header.gsoType.kind == .tcpv6)
        #expect(header.gsoType.ecn)
        #expect(header.gsoType.description == "tcpv6+ecn")
    }

    @Test func tooFewBytesAreNoHeader() {
        let bytes = [UInt8](repeating: 0, count: TunOffloadHeader.size - 1)
        #expect(bytes.withUnsafeBytes { TunOffloadHeader($0) } == nil)
    }
}
#endif
