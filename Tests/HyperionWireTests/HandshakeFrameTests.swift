import NIOCore
import Testing
@testable import HyperionWire

@Suite struct HandshakeFrameTests {
    @Test func roundTripsAndWaitsForTheWholeMessage() throws {
        var out = ByteBuffer()
        try HandshakeFrame.write([UInt8](repeating: 7, count: 96), into: &out)
        #expect(out.readableBytes == 98)
        #expect(out.getInteger(at: 0, as: UInt16.self) == 96)
        var partial = out.getSlice(at: 0, length: 50)!
        #expect(try HandshakeFrame.read(from: &partial) == nil)
        #expect(partial.readableBytes == 50)
        #expect(try HandshakeFrame.read(from: &out) == [UInt8](repeating: 7, count: 96))
        #expect(out.readableBytes == 0)
    }

    @Test func refusesLengthsOutsideTheBound() throws {
        var out = ByteBuffer()
        #expect(throws: WireError.self) { try HandshakeFrame.write([], into: &out) }
        #expect(throws: WireError.self) { try HandshakeFrame.write([UInt8](repeating: 0, count: 4097), into: &out) }
        for announced: UInt16 in [0, 4097, 0xFFFF] {
            var input = ByteBuffer()
            input.writeInteger(announced)
            #expect(throws: WireError.self) { try HandshakeFrame.read(from: &input) }
        }
    }

    @Test func randomInputNeverCrashes() {
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<3000 {
            var input = ByteBuffer(bytes: rng.bytes(Int.random(in: 0...64, using: &rng)))
            if let message = try? HandshakeFrame.read(from: &input) {
                #expect((1...HandshakeFrame.maximumLength).contains(message.count))
            }
        }
    }
}
