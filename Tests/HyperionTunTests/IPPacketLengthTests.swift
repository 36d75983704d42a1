#if os(Linux)
@testable import HyperionTun
import Testing

@Suite struct IPPacketLengthTests {
    let v4 = UDPPacket(source: [10, 0, 0, 2], destination: [10, 0, 0, 1], sourcePort: 1, destinationPort: 2, payload: Array("hello".utf8)).bytes
    let v6 = UDPPacket(
        source: [0xfd] + [UInt8](repeating: 0, count: 14) + [2], destination: [0xfd] + [UInt8](repeating: 0, count: 14) + [1],
        sourcePort: 1, destinationPort: 2, payload: Array("hello".utf8)
    ).bytes

    @Test func completePacketsPass() {
        #expect(v4.withUnsafeBytes { IPPacketLength.declared(in: $0) } == 33)
        #expect(v4.withUnsafeBytes { IPPacketLength.isComplete($0) })
        #expect(v6.withUnsafeBytes { IPPacketLength.declared(in: $0) } == 53)
        #expect(v6.withUnsafeBytes { IPPacketLength.isComplete($0) })
    }

    @Test func truncatedOrPaddedPacketsFail() {
        #expect(!v4.dropLast().withUnsafeBytes { IPPacketLength.isComplete($0) })
        #expect(!(v4 + [0]).withUnsafeBytes { IPPacketLength.isComplete($0) })
        #expect(!v6.dropLast(3).withUnsafeBytes { IPPacketLength.isComplete($0) })
        #expect(!Array(v6.prefix(39)).withUnsafeBytes { IPPacketLength.isComplete($0) })
    }

    @Test func otherVersionsAndEmptyReadsFail() {
        var other = v4
        other[0] = 0x55
        #expect(other.withUnsafeBytes { IPPacketLength.declared(in: $0) } == nil)
        #expect([UInt8]().withUnsafeBytes { IPPacketLength.declared(in: $0) } == nil)
        #expect(Array(v4.prefix(19)).withUnsafeBytes { IPPacketLength.declared(in: $0) } == nil)
    }
}
#endif
