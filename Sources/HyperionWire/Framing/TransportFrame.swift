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
    /// The length field of a rekey marker (PROTOCOL.md §10.3): 16 (a tag, no plaintext)
    /// with the high bit set. No v1 length has that bit (v1 lengths end at 16400), so a
    /// v1 peer never sends one, and an empty v1 frame keeps its v1 meaning.
    public static let rekeyMarkerLengthField: UInt16 = 0x8000 | UInt16(tagLength)
    /// What a marker's tag authenticates besides its empty plaintext: its length field, so
    /// that neither a marker nor an empty frame can be turned into the other.
    public static let rekeyMarkerAssociatedData: [UInt8] = [UInt8(rekeyMarkerLengthField >> 8), UInt8(rekeyMarkerLengthField & 0xFF)]
}

/// Splits the received byte stream into transport-frame ciphertexts, without copying.
///
/// The length prefix is checked before the body is awaited, so a peer can never make us
/// buffer more than one maximum frame per read.
public struct TransportFrameParser {
    /// One frame cut from the stream.
    public enum Frame {
        /// A §4 frame: its ciphertext (plaintext and tag).
        case data(ByteBuffer)
        /// A rekey marker (§10.3): the tag of an empty plaintext under the key it retires.
        /// Whether one is acceptable is `RekeyNegotiation`'s to say.
        case rekeyMarker(ByteBuffer)
    }

    public init() {}

    /// The next complete frame, as a slice of `buffer`; nil if more bytes are needed
    /// (nothing is consumed then). Throws on a length outside 16...16400 that is not the
    /// marker's.
    public func nextFrame(from buffer: inout ByteBuffer) throws -> Frame? {
        guard let (length, isMarker) = try checkedLength(of: buffer), buffer.readableBytes >= 2 + length else { return nil }
        buffer.moveReaderIndex(forwardBy: 2)
        let body = buffer.readSlice(length: length)!
        return isMarker ? .rekeyMarker(body) : .data(body)
    }

    /// The next complete frame's ciphertext, for a receiver that never takes part in
    /// rekeying (v1): a marker throws like any other length outside 16...16400.
    public func nextCiphertext(from buffer: inout ByteBuffer) throws -> ByteBuffer? {
        switch try nextFrame(from: &buffer) {
        case nil: return nil
        case .data(let ciphertext): return ciphertext
        case .rekeyMarker: throw Self.lengthError(TransportFrame.rekeyMarkerLengthField)
        }
    }

    /// How many more bytes the frame at the start of `buffer` needs to be complete: 0 when
    /// it is, and never more than one maximum frame. With fewer than 2 bytes, only the
    /// rest of the length prefix is asked for. Throws on a length outside 16...16400 that
    /// is not the marker's.
    public func bytesMissing(in buffer: ByteBuffer) throws -> Int {
        guard let (length, _) = try checkedLength(of: buffer) else { return 2 - buffer.readableBytes }
        return max(0, 2 + length - buffer.readableBytes)
    }

    /// The body length announced at the start of `buffer`, once both its bytes are there,
    /// and whether it is a rekey marker's.
    private func checkedLength(of buffer: ByteBuffer) throws -> (Int, Bool)? {
        guard let field = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) else { return nil }
        if (TransportFrame.minimumLength...TransportFrame.maximumLength).contains(Int(field)) { return (Int(field), false) }
        guard field == TransportFrame.rekeyMarkerLengthField else { throw Self.lengthError(field) }
        return (TransportFrame.tagLength, true)
    }

    private static func lengthError(_ field: UInt16) -> WireError {
        WireError(
            .invalidFrameLength,
            "the peer sent a transport frame of \(field) bytes; the limit is \(TransportFrame.minimumLength) to \(TransportFrame.maximumLength)"
        )
    }
}
