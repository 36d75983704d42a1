import NIOCore

/// One yamux frame: its header and, for data frames, the payload as a slice of the
/// received buffer (no copy).
public struct YamuxFrame: Sendable {
    public var header: YamuxHeader
    public var payload: ByteBuffer?

    public init(header: YamuxHeader, payload: ByteBuffer? = nil) {
        self.header = header
        self.payload = payload
    }
}

/// Cuts the decrypted byte stream into yamux frames.
///
/// A data frame longer than `maximumDataLength` throws as soon as its header is seen,
/// before its payload is awaited: the session passes the largest receive window it ever
/// grants, so an honest peer never exceeds it and a dishonest one cannot make us buffer.
public struct YamuxFrameParser {
    public var maximumDataLength: UInt32

    public init(maximumDataLength: UInt32) {
        self.maximumDataLength = maximumDataLength
    }

    /// The next complete frame, or nil (consuming nothing) if more bytes are needed.
    public func nextFrame(from buffer: inout ByteBuffer) throws -> YamuxFrame? {
        var lookahead = buffer
        guard let header = try YamuxHeader.read(from: &lookahead) else { return nil }
        guard header.type == .data else {
            buffer = lookahead
            return YamuxFrame(header: header)
        }
        guard header.length <= maximumDataLength else {
            throw WireError(
                .yamuxDataTooLong,
                "a yamux data frame of \(header.length) bytes on stream \(header.streamID) exceeds the limit of \(maximumDataLength)"
            )
        }
        guard let payload = lookahead.readSlice(length: Int(header.length)) else { return nil }
        buffer = lookahead
        return YamuxFrame(header: header, payload: payload)
    }
}
