import NIOCore

/// Framing of the two Noise handshake messages (PROTOCOL.md §3): `u16 length || message`,
/// with 1 <= length <= 4096.
public enum HandshakeFrame {
    public static let maximumLength = 4096

    /// Appends `u16 length || message` to `buffer`.
    public static func write(_ message: some Collection<UInt8>, into buffer: inout ByteBuffer) throws {
        guard (1...maximumLength).contains(message.count) else {
            throw WireError(.invalidHandshakeLength, "a handshake message is 1 to \(maximumLength) bytes, not \(message.count)")
        }
        buffer.writeInteger(UInt16(message.count))
        buffer.writeBytes(message)
    }

    /// Reads one framed message from `buffer`. Returns nil, consuming nothing, until the
    /// whole message has arrived. A length outside the bound throws before any wait.
    public static func read(from buffer: inout ByteBuffer) throws -> [UInt8]? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) else { return nil }
        guard (1...maximumLength).contains(Int(length)) else {
            throw WireError(.invalidHandshakeLength, "the peer announced a handshake message of \(length) bytes; the limit is 1 to \(maximumLength)")
        }
        guard buffer.readableBytes >= 2 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 2)
        return buffer.readBytes(length: Int(length))
    }
}
