import NIOCore

/// The first bytes the client writes on a new stream: the target port (PROTOCOL.md §6).
public struct StreamConnectRequest: Hashable, Sendable {
    public static let size = 2
    public var port: UInt16

    public init(port: UInt16) { self.port = port }

    public func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(port)
    }

    /// Reads the request, or nil (consuming nothing) until both bytes have arrived.
    public static func read(from buffer: inout ByteBuffer) -> StreamConnectRequest? {
        buffer.readInteger(as: UInt16.self).map(StreamConnectRequest.init(port:))
    }
}

/// The server's one-byte answer to a `StreamConnectRequest` (PROTOCOL.md §6).
public enum StreamConnectResponse: UInt8, Hashable, Sendable, CustomStringConvertible {
    /// The server dialed 127.0.0.1:<port>; raw bytes follow.
    case connected = 0
    /// The port is not in the server's egress allowlist.
    case denied = 1
    /// The dial failed: nothing listening, or it timed out.
    case unreachable = 2

    public static let size = 1

    public func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(rawValue)
    }

    /// Reads the answer, or nil (consuming nothing) if no byte has arrived.
    public static func read(from buffer: inout ByteBuffer) throws -> StreamConnectResponse? {
        guard let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        guard let response = StreamConnectResponse(rawValue: byte) else {
            throw WireError(.invalidConnectResponse, "the server answered a stream with byte \(byte); only 0, 1 and 2 are defined")
        }
        buffer.moveReaderIndex(forwardBy: 1)
        return response
    }

    public var description: String {
        switch self {
        case .connected: "connected"
        case .denied: "denied (port not in the server's egress allowlist)"
        case .unreachable: "unreachable (nothing answered on the server's loopback)"
        }
    }
}
