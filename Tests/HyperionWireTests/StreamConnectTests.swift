import NIOCore
import Testing
@testable import HyperionWire

@Suite struct StreamConnectTests {
    @Test func requestIsTheBigEndianPort() {
        var buffer = ByteBuffer()
        StreamConnectRequest(port: 8443).write(into: &buffer)
        #expect(Array(buffer.readableBytesView) == [0x20, 0xFB])
        var one = ByteBuffer(bytes: [0x20])
        #expect(StreamConnectRequest.read(from: &one) == nil)
        #expect(one.readableBytes == 1)
        #expect(StreamConnectRequest.read(from: &buffer) == StreamConnectRequest(port: 8443))
    }

    @Test func responseBytesAreZeroOneTwo() throws {
        for (byte, expected) in [(UInt8(0), StreamConnectResponse.connected), (1, .denied), (2, .unreachable)] {
            var buffer = ByteBuffer(bytes: [byte, 0xAA])
            #expect(try StreamConnectResponse.read(from: &buffer) == expected)
            #expect(buffer.readableBytes == 1, "the relayed bytes after the answer stay unread")
            var out = ByteBuffer()
            expected.write(into: &out)
            #expect(Array(out.readableBytesView) == [byte])
        }
        for byte in UInt8(3)...255 {
            var buffer = ByteBuffer(bytes: [byte])
            #expect(throws: WireError.self) { try StreamConnectResponse.read(from: &buffer) }
        }
        var empty = ByteBuffer()
        #expect(try StreamConnectResponse.read(from: &empty) == nil)
    }
}
