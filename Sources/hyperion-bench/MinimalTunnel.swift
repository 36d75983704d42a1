// A v1 tunnel client reduced to what the load tools need (PROTOCOL.md §3–§6), on one
// blocking socket: the Noise_IKpsk2 handshake, transport frames both ways, and yamux
// frames in and out. It never runs the product's NIO code, so what the tools measure on
// the server is the server alone, answering a peer that speaks the wire format.
import HyperionCrypto
import HyperionWire
import NIOCore

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

final class MinimalTunnel {
    private let socket: BlockingSocket
    private var assembler: TransportFrameAssembler
    private var opener: TransportFrameOpener
    /// Ciphertext read from the socket and not yet cut into frames.
    private var received: ByteBuffer
    /// Decrypted bytes not yet cut into yamux frames.
    private var plaintext = ByteBuffer()
    private let frameParser = TransportFrameParser()
    /// The initial stream window: the server never sends more on a stream we did not widen.
    private let yamuxParser = YamuxFrameParser(maximumDataLength: 256 * 1024)

    private init(socket: BlockingSocket, transport: NoiseTransport, leftover: ByteBuffer) {
        self.socket = socket
        self.assembler = TransportFrameAssembler(cipher: transport.sender, output: ByteBuffer())
        self.opener = TransportFrameOpener(cipher: transport.receiver)
        self.received = leftover
    }

    deinit { socket.close() }

    /// TCP connect to 127.0.0.1:`port`, then the handshake: message 1 out, message 2 in.
    /// Bytes the server sent after message 2 stay for `nextFrame`.
    static func connect(port: UInt16, host: String = "127.0.0.1", keys: TunnelKeys) throws -> MinimalTunnel {
        let socket = try BlockingSocket.connect(port: port, host: host)
        do {
            var initiator = NoiseInitiator(
                prologue: HyperionNoise.prologue, localStatic: keys.admin, remoteStatic: keys.server, presharedKey: keys.presharedKey
            )
            var out = ByteBuffer()
            try HandshakeFrame.write(try initiator.writeMessage1(), into: &out)
            try socket.writeAll(out)
            var received = ByteBuffer()
            var message2 = try HandshakeFrame.read(from: &received)
            while message2 == nil {
                guard try socket.readAppending(to: &received) > 0 else {
                    throw BenchFailure("the server closed the connection without answering the handshake (admin key not allowed, or wrong server key)")
                }
                message2 = try HandshakeFrame.read(from: &received)
            }
            _ = try initiator.readMessage2(message2!)
            return MinimalTunnel(socket: socket, transport: try initiator.split(), leftover: received)
        } catch {
            socket.close()
            throw error
        }
    }

    /// Seals the readable bytes of `frames` (encoded yamux frames) and writes them.
    func send(_ frames: ByteBuffer) throws {
        var frames = frames
        try assembler.append(&frames)
        try socket.writeAll(try assembler.takeSealed())
    }

    /// The next yamux frame from the server, reading and decrypting as needed.
    func nextFrame() throws -> YamuxFrame {
        while true {
            if let frame = try yamuxParser.nextFrame(from: &plaintext) {
                plaintext.discardReadBytes()
                return frame
            }
            if let ciphertext = try frameParser.nextCiphertext(from: &received) {
                try opener.open(ciphertext, into: &plaintext)
                received.discardReadBytes()
                continue
            }
            guard try socket.readAppending(to: &received) > 0 else {
                throw BenchFailure("the server closed the tunnel connection")
            }
        }
    }

    /// Half-closes, then reads (and drops) until the server closes its side too.
    func closeAndDrain() throws {
        socket.shutdownOutput()
        var scratch = ByteBuffer()
        while try socket.readAppending(to: &scratch) > 0 { scratch.clear() }
    }

    /// Answers a ping that asks for it (SYN) with the same opaque value (PROTOCOL.md §5).
    /// Returns whether `frame` was such a ping.
    func answerIfPing(_ frame: YamuxFrame) throws -> Bool {
        guard frame.header.type == .ping, frame.header.flags.contains(.syn) else { return false }
        var answer = ByteBuffer()
        YamuxHeader(type: .ping, flags: .ack, streamID: 0, length: frame.header.length).write(into: &answer)
        try send(answer)
        return true
    }
}

extension BlockingSocket {
    /// Appends what one read returns to `buffer`; 0 means end of input.
    func readAppending(to buffer: inout ByteBuffer) throws -> Int {
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 16 * 1024) { space in
            try readSome(into: space.baseAddress!, count: space.count)
        }
    }

    func writeAll(_ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            try writeAll(base, count: bytes.count)
        }
    }
}
