import NIOCore

/// Cuts the decrypted byte stream into yamux frames without waiting for whole data frames.
///
/// A data frame may be far longer than one read (up to the receive window). Rather than
/// gathering it in a growing buffer, which means copying every byte once more, the
/// splitter hands out what has arrived as a data frame of its own, a slice of the read
/// buffer, and the rest as further pieces as it arrives. The pieces add up to the
/// original frame: SYN and ACK ride on the first piece, FIN and RST on the last, and the
/// lengths sum to the original length, so window accounting is unchanged.
///
/// Between frames, only a partial 12-byte header is ever left in the caller's buffer.
public struct YamuxFrameSplitter {
    public let parser: YamuxFrameParser
    private var current: DataFrameInProgress?

    private struct DataFrameInProgress {
        let streamID: UInt32
        var remaining: UInt32
        var flagsForFirstPiece: YamuxHeader.Flags
        let flagsForLastPiece: YamuxHeader.Flags
    }

    public init(parser: YamuxFrameParser) {
        self.parser = parser
    }

    /// True while a data frame has been started but not all of its payload handed out.
    public var isInsideDataFrame: Bool { current != nil }

    /// The next frame or piece of a data frame; nil when `buffer` holds no more of either
    /// (then at most a partial header is left in it).
    public mutating func nextFrame(from buffer: inout ByteBuffer) throws -> YamuxFrame? {
        if current != nil { return nextPiece(from: &buffer) }
        if let frame = try parser.nextFrame(from: &buffer) { return frame }
        // Incomplete. A data frame's header is taken now and its payload handed out in
        // pieces; the parser has already refused a length beyond the limit.
        var lookahead = buffer
        guard let header = try YamuxHeader.read(from: &lookahead), header.type == .data else { return nil }
        buffer = lookahead
        current = DataFrameInProgress(
            streamID: header.streamID,
            remaining: header.length,
            flagsForFirstPiece: header.flags.intersection([.syn, .ack]),
            flagsForLastPiece: header.flags.intersection([.fin, .rst])
        )
        return nextPiece(from: &buffer)
    }

    private mutating func nextPiece(from buffer: inout ByteBuffer) -> YamuxFrame? {
        guard var frame = current, buffer.readableBytes > 0 else { return nil }
        let length = min(Int(frame.remaining), buffer.readableBytes)
        let payload = buffer.readSlice(length: length)!
        frame.remaining -= UInt32(length)
        var flags = frame.flagsForFirstPiece
        frame.flagsForFirstPiece = []
        if frame.remaining == 0 {
            flags.formUnion(frame.flagsForLastPiece)
            current = nil
        } else {
            current = frame
        }
        let header = YamuxHeader(type: .data, flags: flags, streamID: frame.streamID, length: UInt32(length))
        return YamuxFrame(header: header, payload: payload)
    }
}
