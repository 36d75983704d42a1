import NIOCore

/// Bounds of a transport frame (PROTOCOL.md §4): `u16 length || ciphertext`, where the
/// ciphertext is 0...16384 plaintext bytes plus a 16-byte tag.
public enum TransportFrame {
    public static let tagLength = 16
    public static let maximumPlaintextLength = 16384
    public static let minimumLength = tagLength
    public static let maximumLength = maximumPlaintextLength + tagLength
    /// The length prefix plus the largest ciphertext: what one frame can occupy on the wire.
    public static let maximumWireLength = 2 + maximumLength
}

/// Splits the received byte stream into transport-frame ciphertexts, without copying.
///
/// The length prefix is checked before the body is awaited, so a peer can never make us
/// buffer more than one maximum frame per read.
public struct TransportFrameParser {
    public init() {}

    /// The next complete frame's ciphertext, as a slice of `buffer`; nil if more bytes are
    /// needed (nothing is consumed then). Throws on a length outside 16...16400.
    public func nextCiphertext(from buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let length = try checkedLength(of: buffer), buffer.readableBytes >= 2 + length else { return nil }
        buffer.moveReaderIndex(forwardBy: 2)
        return buffer.readSlice(length: length)
    }

    /// How many more bytes the frame at the start of `buffer` needs to be complete: 0 when
    /// it is, and never more than one maximum frame. With fewer than 2 bytes, only the
    /// rest of the length prefix is asked for. Throws on a length outside 16...16400.
    public func bytesMissing(in buffer: ByteBuffer) throws -> Int {
        guard let length = try checkedLength(of: buffer) else { return 2 - buffer.readableBytes }
        return max(0, 2 + length - buffer.readableBytes)
    }

    /// The length prefix at the start of `buffer`, once both its bytes are there.
    private func checkedLength(of buffer: ByteBuffer) throws -> Int? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) else { return nil }
        guard (TransportFrame.minimumLength...TransportFrame.maximumLength).contains(Int(length)) else {
            throw WireError(
                .invalidFrameLength,
                "the peer sent a transport frame of \(length) bytes; the limit is \(TransportFrame.minimumLength) to \(TransportFrame.maximumLength)"
            )
        }
        return Int(length)
    }
}
