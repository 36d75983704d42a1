import HyperionCrypto
import HyperionWire
import NIOCore

/// One direction of a tunnel connection's frame path, as the Noise handlers run it: the
/// sender's assembler seals plaintext in place in its output buffer, the receiver's parser
/// cuts the frame out of the received bytes and its opener decrypts into one reused
/// plaintext buffer. Keys come from a real handshake.
///
/// A class, so that the benchmark closure mutates the assembler and buffers where they are:
/// a copy of a `ByteBuffer` would make the next write copy its storage.
final class FramePath {
    let payloadSize: Int
    private let payload: ByteBuffer
    private let parser = TransportFrameParser()
    private var assembler: TransportFrameAssembler
    private var opener: TransportFrameOpener
    private var plaintext = ByteBuffer()
    /// The receiver's cipher before its first frame, and that frame on the wire, so that
    /// `openFirstFrame` can open the same frame again and again with a fresh opener.
    private let initialReceiver: NoiseCipherState
    private let firstFrameWire: ByteBuffer

    init(payloadSize: Int) throws {
        precondition(payloadSize <= TransportFrame.maximumPlaintextLength, "one frame carries at most 16384 bytes")
        self.payloadSize = payloadSize
        payload = ByteBuffer(repeating: 0xA5, count: payloadSize)
        let (client, server) = try HandshakePeers().handshake()
        assembler = TransportFrameAssembler(cipher: client.sender, output: ByteBuffer())
        opener = TransportFrameOpener(cipher: server.receiver)
        initialReceiver = server.receiver

        // A second sender from the same cipher state: its frame is the one `assembler`
        // will seal first (same key, nonce 0). Reusing a nonce is fine for a benchmark.
        var firstSender = TransportFrameAssembler(cipher: client.sender, output: ByteBuffer())
        var input = payload
        try firstSender.append(&input)
        firstFrameWire = try firstSender.takeSealed()
        plaintext.reserveCapacity(TransportFrame.maximumPlaintextLength)
    }

    /// Seals the payload into one frame and takes it for the socket. Returns the wire length.
    /// (Do not mix with `roundTrip` on one fixture: the opener would be a nonce behind.)
    func seal() throws -> Int {
        var input = payload
        try assembler.append(&input)
        return try assembler.takeSealed().readableBytes
    }

    /// Cuts the first frame out of its wire bytes and opens it with a receiver at nonce 0.
    /// Returns the plaintext length.
    func openFirstFrame() throws -> Int {
        var opener = TransportFrameOpener(cipher: initialReceiver)
        var wire = firstFrameWire
        return try open(from: &wire, with: &opener)
    }

    /// Seal, then cut and open: the whole frame path for one payload. Returns the plaintext
    /// length, which is the payload's.
    func roundTrip() throws -> Int {
        var input = payload
        try assembler.append(&input)
        var wire = try assembler.takeSealed()
        return try open(from: &wire, with: &opener)
    }

    private func open(from wire: inout ByteBuffer, with opener: inout TransportFrameOpener) throws -> Int {
        guard let ciphertext = try parser.nextCiphertext(from: &wire) else {
            throw FixtureError("the assembler produced no complete frame")
        }
        plaintext.clear()
        try opener.open(ciphertext, into: &plaintext)
        return plaintext.readableBytes
    }
}
