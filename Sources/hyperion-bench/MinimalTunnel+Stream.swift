// Opening one stream the way the client does (PROTOCOL.md §5–§6) and reading what the
// server sends on it, answering pings on the way.
import HyperionWire
import NIOCore

extension MinimalTunnel {
    /// Opens stream `id` to the server's 127.0.0.1:`port`: a data frame with SYN carrying
    /// the 2-byte port (rust-yamux style, which PROTOCOL.md §5 says servers accept), then
    /// waits for the server's one-byte answer. Throws unless it is `connected`. Bytes that
    /// came after the answer are left in `stream`.
    func openStream(_ id: UInt32, port: UInt16, stream: inout ByteBuffer) throws {
        var open = ByteBuffer()
        YamuxHeader(type: .data, flags: .syn, streamID: id, length: UInt32(StreamConnectRequest.size)).write(into: &open)
        StreamConnectRequest(port: port).write(into: &open)
        try send(open)
        try receive(onStream: id, into: &stream, atLeast: StreamConnectResponse.size)
        guard let answer = try StreamConnectResponse.read(from: &stream) else {
            throw BenchFailure("stream \(id): no answer byte")
        }
        guard answer == .connected else { throw BenchFailure("stream \(id) to port \(port): \(answer)") }
    }

    /// Sends `bytes` as one data frame on stream `id` (within the initial window).
    func sendData(_ id: UInt32, _ bytes: [UInt8]) throws {
        var frame = ByteBuffer()
        YamuxHeader(type: .data, streamID: id, length: UInt32(bytes.count)).write(into: &frame)
        frame.writeBytes(bytes)
        try send(frame)
    }

    /// Reads frames until `buffer` holds at least `count` bytes of stream `id`. Pings are
    /// answered, window updates and other streams ignored; a reset, an end of the stream
    /// or a go away before that throws.
    func receive(onStream id: UInt32, into buffer: inout ByteBuffer, atLeast count: Int) throws {
        while buffer.readableBytes < count {
            let frame = try nextFrame()
            if try answerIfPing(frame) { continue }
            let header = frame.header
            if header.type == .goAway {
                throw BenchFailure("the server sent go away (code \(header.length))")
            }
            guard header.streamID == id else { continue }
            if var payload = frame.payload { buffer.writeBuffer(&payload) }
            if header.flags.contains(.rst) { throw BenchFailure("the server reset stream \(id)") }
            if header.flags.contains(.fin), buffer.readableBytes < count {
                throw BenchFailure("the server ended stream \(id) after \(buffer.readableBytes) of \(count) bytes")
            }
        }
    }
}
