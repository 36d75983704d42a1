import HyperionWire
import NIOCore
import NIOEmbedded
import Testing

@testable import HyperionMux

/// Random and truncated input to a server multiplexer: it must never crash, never buffer
/// beyond its bounds, and end the session only with go away(1).
@Suite struct YamuxFuzzTests {
    @Test func randomBytes() throws {
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<500 {
            let count = Int.random(in: 0..<200, using: &generator)
            var bytes = ByteBuffer()
            for _ in 0..<count { bytes.writeInteger(UInt8.random(in: 0...255, using: &generator)) }
            try self.feed(bytes, using: &generator)
        }
    }

    @Test func randomButPlausibleFrames() throws {
        var generator = SplitMix64(seed: 0xF4A3E5)
        for _ in 0..<1_000 {
            var bytes = ByteBuffer()
            for _ in 0..<Int.random(in: 1..<40, using: &generator) {
                self.writePlausibleFrame(into: &bytes, using: &generator)
            }
            // Truncate anywhere, sometimes.
            if Bool.random(using: &generator) {
                bytes.moveWriterIndex(to: Int.random(in: 0...bytes.writerIndex, using: &generator))
            }
            try self.feed(bytes, using: &generator)
        }
    }

    private func writePlausibleFrame(into bytes: inout ByteBuffer, using generator: inout SplitMix64) {
        let ids: [UInt32] = [0, 1, 2, 3, 5, 7, 9, .max, UInt32.random(in: 0...1000, using: &generator)]
        let type = UInt8.random(in: 0...4, using: &generator)
        let flags = UInt16.random(in: 0...15, using: &generator) | (Int.random(in: 0..<50, using: &generator) == 0 ? 0x10 : 0)
        let streamID = ids.randomElement(using: &generator)!
        let length: UInt32 = Bool.random(using: &generator)
            ? UInt32.random(in: 0...300, using: &generator)
            : UInt32.random(in: 0 ... .max, using: &generator)
        let version: UInt8 = Int.random(in: 0..<100, using: &generator) == 0 ? 1 : 0
        bytes.writeMultipleIntegers(version, type, flags, streamID, length)
        if type == 0 {
            let payload = min(Int(length), 300)
            for _ in 0..<payload { bytes.writeInteger(UInt8.random(in: 0...255, using: &generator)) }
        }
    }

    /// Feeds `bytes` in random chunks and checks the multiplexer's invariants after each.
    private func feed(_ bytes: ByteBuffer, using generator: inout SplitMix64) throws {
        let configuration = YamuxConfiguration.testing(.server) { $0.maximumStreams = 8 }
        let peer = try RawPeer(configuration: configuration, initializer: EchoHandler.install)
        var bytes = bytes
        while bytes.readableBytes > 0, peer.channel.isActive {
            let chunk = bytes.readSlice(length: Int.random(in: 1...max(1, bytes.readableBytes), using: &generator))!
            try peer.send(chunk)
            let mux = peer.multiplexer
            #expect((mux.headerFragment?.readableBytes ?? 0) < YamuxHeader.size)
            #expect(mux.session.streams.count <= configuration.maximumStreams)
            #expect(mux.session.pendingAccepts <= configuration.acceptBacklog)
            for stream in mux.session.streams.values {
                #expect(stream.receiveWindow.buffered <= stream.receiveWindow.target)
            }
        }
        for header in try peer.headers() where header.type == .goAway {
            #expect(header.length == YamuxHeader.GoAwayCode.protocolError.rawValue)
        }
    }
}
