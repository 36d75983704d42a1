import NIOCore
import Testing
@testable import HyperionWire

@Suite struct YamuxFrameSplitterTests {
    static let limit: UInt32 = 1 << 20

    static func frame(_ type: YamuxHeader.FrameType, _ flags: YamuxHeader.Flags, stream: UInt32, payload: [UInt8] = [], length: UInt32? = nil) -> ByteBuffer {
        var buffer = ByteBuffer()
        YamuxHeader(type: type, flags: flags, streamID: stream, length: length ?? UInt32(payload.count)).write(into: &buffer)
        buffer.writeBytes(payload)
        return buffer
    }

    /// What a receiver makes of the frames: per stream, the bytes and the flags seen, and
    /// the non-data frames in order.
    struct Outcome: Equatable {
        var bytes: [UInt32: [UInt8]] = [:]
        var flags: [UInt32: [UInt16]] = [:]
        var control: [YamuxHeader] = []

        mutating func record(_ frame: YamuxFrame) {
            if frame.header.type == .data {
                bytes[frame.header.streamID, default: []] += frame.payload.map { Array($0.readableBytesView) } ?? []
                if !frame.header.flags.isEmpty { flags[frame.header.streamID, default: []].append(frame.header.flags.rawValue) }
            } else {
                control.append(frame.header)
            }
        }
    }

    /// Feeds `wire` in reads of the given sizes, keeping a cut header between reads the way
    /// the multiplexer does, and returns the frames that came out.
    static func split(_ wire: ByteBuffer, readSizes: some Sequence<Int>) throws -> (Outcome, [YamuxFrame]) {
        var splitter = YamuxFrameSplitter(parser: YamuxFrameParser(maximumDataLength: limit))
        var wire = wire
        var carried = ByteBuffer()
        var outcome = Outcome()
        var frames: [YamuxFrame] = []
        var sizes = readSizes.makeIterator()
        var largestLeftover = 0
        while wire.readableBytes > 0 {
            let size = min(sizes.next() ?? wire.readableBytes, wire.readableBytes)
            var read = carried
            var slice = wire.readSlice(length: size)!
            read.writeBuffer(&slice)
            while let frame = try splitter.nextFrame(from: &read) {
                outcome.record(frame)
                frames.append(frame)
            }
            largestLeftover = max(largestLeftover, read.readableBytes)
            carried = read
        }
        #expect(largestLeftover < YamuxHeader.size, "only a cut header may be left over")
        #expect(carried.readableBytes == 0)
        #expect(!splitter.isInsideDataFrame)
        return (outcome, frames)
    }

    @Test func aDataFrameCutByReadsComesOutInPiecesWithFlagsOnTheEnds() throws {
        let payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let wire = Self.frame(.data, [.syn, .fin], stream: 3, payload: payload)
        let (outcome, frames) = try Self.split(wire, readSizes: [5, 20, 40_000, 1, 30_000])
        #expect(frames.count > 1)
        #expect(frames.allSatisfy { $0.header.type == .data && $0.header.streamID == 3 && $0.payload!.readableBytes == Int($0.header.length) && $0.header.length > 0 })
        #expect(frames.map(\.header.length).reduce(0, +) == UInt32(payload.count))
        #expect(frames.first!.header.flags == [.syn])
        #expect(frames.last!.header.flags == [.fin])
        #expect(frames.dropFirst().dropLast().allSatisfy { $0.header.flags.isEmpty })
        #expect(outcome.bytes[3] == payload)
    }

    @Test func wholeFramesPassUnchanged() throws {
        var wire = Self.frame(.windowUpdate, [.syn], stream: 1, length: 0)
        var data = Self.frame(.data, [.ack, .fin], stream: 1, payload: [1, 2, 3])
        var ping = Self.frame(.ping, [.syn], stream: 0, length: 7)
        wire.writeBuffer(&data)
        wire.writeBuffer(&ping)
        let (_, frames) = try Self.split(wire, readSizes: [wire.readableBytes])
        #expect(frames.map(\.header) == [
            YamuxHeader(type: .windowUpdate, flags: [.syn], streamID: 1, length: 0),
            YamuxHeader(type: .data, flags: [.ack, .fin], streamID: 1, length: 3),
            YamuxHeader(type: .ping, flags: [.syn], streamID: 0, length: 7),
        ])
    }

    static func mixedTraffic(largestPayload: Int) -> ByteBuffer {
        var generator = SystemRandomNumberGenerator()
        var wire = ByteBuffer()
        for index in 0..<60 {
            let stream = UInt32(1 + 2 * (index % 5))
            let flags: YamuxHeader.Flags = index < 5 ? [.syn] : (index >= 55 ? [.fin] : [])
            var next = Self.frame(.data, flags, stream: stream, payload: (0..<Int.random(in: 0...largestPayload, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            wire.writeBuffer(&next)
            if index % 7 == 0 {
                var update = Self.frame(.windowUpdate, [], stream: stream, length: 65_536)
                wire.writeBuffer(&update)
            }
        }
        return wire
    }

    @Test func anyReadPatternGivesTheSameStreamsFlagsAndControlFrames() throws {
        var generator = SystemRandomNumberGenerator()
        let wire = Self.mixedTraffic(largestPayload: 40_000)
        let (whole, _) = try Self.split(wire, readSizes: [wire.readableBytes])
        for _ in 0..<20 {
            let sizes = (0..<10_000).map { _ in Int.random(in: 1...20_000, using: &generator) }
            let (cut, _) = try Self.split(wire, readSizes: sizes)
            #expect(cut == whole)
        }
        let small = Self.mixedTraffic(largestPayload: 300)
        let (smallWhole, _) = try Self.split(small, readSizes: [small.readableBytes])
        let (byteByByte, _) = try Self.split(small, readSizes: repeatElement(1, count: small.readableBytes))
        #expect(byteByByte == smallWhole)
    }

    @Test func anOverlongDataFrameIsRefusedAtItsHeader() throws {
        var splitter = YamuxFrameSplitter(parser: YamuxFrameParser(maximumDataLength: 1000))
        var read = Self.frame(.data, [], stream: 1, length: 1001)
        #expect(throws: WireError.self) { try splitter.nextFrame(from: &read) }
    }
}
