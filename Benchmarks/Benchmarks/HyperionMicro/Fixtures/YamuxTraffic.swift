import HyperionWire
import NIOCore

/// A decrypted byte stream of yamux data frames, as one read hands it to the multiplexer,
/// and the splitter that the multiplexer cuts it with.
final class YamuxTraffic {
    let frameCount: Int
    let payloadBytes: Int
    let wire: ByteBuffer
    private var splitter = YamuxFrameSplitter(parser: YamuxFrameParser(
        // What the multiplexer passes with the default configuration (16 MiB receive window).
        maximumDataLength: 16 * 1024 * 1024
    ))

    /// `frameCount` data frames of `payloadSize` bytes each, spread over 8 streams.
    init(frameCount: Int, payloadSize: Int) {
        self.frameCount = frameCount
        payloadBytes = frameCount * payloadSize
        let payload = [UInt8](repeating: 0x5A, count: payloadSize)
        var wire = ByteBuffer()
        wire.reserveCapacity(frameCount * (YamuxHeader.size + payloadSize))
        for index in 0..<frameCount {
            let stream = UInt32(1 + 2 * (index % 8))
            YamuxHeader(type: .data, streamID: stream, length: UInt32(payloadSize)).write(into: &wire)
            wire.writeBytes(payload)
        }
        self.wire = wire
    }

    /// Cuts every frame out of the stream (payloads stay slices of it). Returns the payload
    /// bytes seen, which must be `payloadBytes`.
    func splitAll() throws -> Int {
        var read = wire
        var bytes = 0
        while let frame = try splitter.nextFrame(from: &read) {
            bytes += frame.payload?.readableBytes ?? 0
        }
        guard read.readableBytes == 0, !splitter.isInsideDataFrame else {
            throw FixtureError("the splitter left \(read.readableBytes) bytes of whole frames")
        }
        return bytes
    }
}

/// A reused output buffer and the headers the multiplexer writes most: data-frame headers
/// of many streams and the window updates that follow reads.
final class YamuxHeaderWriter {
    let headers: [YamuxHeader]
    private var output = ByteBuffer()

    init(count: Int) {
        headers = (0..<count).map { index in
            let stream = UInt32(1 + 2 * (index % 64))
            return index % 4 == 3
                ? YamuxHeader(type: .windowUpdate, streamID: stream, length: 256 * 1024)
                : YamuxHeader(type: .data, streamID: stream, length: 16_384)
        }
        output.reserveCapacity(count * YamuxHeader.size)
    }

    /// Encodes every header into the output buffer. Returns the bytes written.
    func writeAll() -> Int {
        output.clear()
        for header in headers {
            header.write(into: &output)
        }
        return output.readableBytes
    }
}
