import NIOCore
import Testing
@testable import HyperionWire

@Suite struct YamuxHeaderTests {
    @Test func encodesTheSpecLayout() {
        var buffer = ByteBuffer()
        YamuxHeader(type: .windowUpdate, flags: [.syn, .ack], streamID: 0x0102_0304, length: 0x0A0B_0C0D).write(into: &buffer)
        #expect(Array(buffer.readableBytesView) == [0, 1, 0, 3, 1, 2, 3, 4, 0x0A, 0x0B, 0x0C, 0x0D])
    }

    @Test func roundTripsEveryTypeAndFlag() throws {
        for type in [YamuxHeader.FrameType.data, .windowUpdate, .ping, .goAway] {
            for rawFlags in UInt16(0)...15 {
                let header = YamuxHeader(type: type, flags: .init(rawValue: rawFlags), streamID: 7, length: 99)
                var buffer = ByteBuffer()
                header.write(into: &buffer)
                #expect(try YamuxHeader.read(from: &buffer) == header)
                #expect(buffer.readableBytes == 0)
            }
        }
    }

    @Test func refusesUnknownVersionTypeAndFlags() {
        for bytes: [UInt8] in [
            [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0],  // version 1
            [0, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0],  // type 4
            [0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0],  // flag 0x10
            [0, 0, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0],  // flag 0x8000
        ] {
            var buffer = ByteBuffer(bytes: bytes)
            #expect(throws: WireError.self) { try YamuxHeader.read(from: &buffer) }
        }
    }

    @Test func parserWaitsForPayloadAndBoundsDataLength() throws {
        let parser = YamuxFrameParser(maximumDataLength: 1000)
        var buffer = ByteBuffer()
        YamuxHeader(type: .data, flags: .syn, streamID: 1, length: 5).write(into: &buffer)
        buffer.writeBytes([1, 2, 3])
        #expect(try parser.nextFrame(from: &buffer) == nil)
        #expect(buffer.readableBytes == 15)
        buffer.writeBytes([4, 5])
        YamuxHeader(type: .ping, flags: .syn, streamID: 0, length: 42).write(into: &buffer)
        let data = try #require(try parser.nextFrame(from: &buffer))
        #expect(data.header.flags == .syn)
        #expect(data.payload.map { Array($0.readableBytesView) } == [1, 2, 3, 4, 5])
        let ping = try #require(try parser.nextFrame(from: &buffer))
        #expect(ping.header.type == .ping && ping.header.length == 42 && ping.payload == nil)

        var tooLong = ByteBuffer()
        YamuxHeader(type: .data, streamID: 1, length: 1001).write(into: &tooLong)
        #expect(throws: WireError.self) { try parser.nextFrame(from: &tooLong) }
        // A window update may carry any delta: its length is not a payload size.
        var update = ByteBuffer()
        YamuxHeader(type: .windowUpdate, streamID: 1, length: .max).write(into: &update)
        #expect(try parser.nextFrame(from: &update)?.header.length == .max)
    }

    @Test func randomInputNeverCrashesOrOverreads() {
        var rng = SeededGenerator(seed: 4)
        let parser = YamuxFrameParser(maximumDataLength: 256 * 1024)
        for _ in 0..<5000 {
            var buffer = ByteBuffer(bytes: rng.bytes(Int.random(in: 0...40, using: &rng)))
            while let frame = try? parser.nextFrame(from: &buffer) {
                #expect(frame.header.type != .data || frame.payload?.readableBytes == Int(frame.header.length))
            }
        }
    }
}
