@_spi(Benchmarks) import HyperionCrypto

/// The two cipher states of one direction (sender and receiver, same key, same nonce) and a
/// frame-sized buffer they work in place on: the ChaCha20-Poly1305 floor under the frame
/// path, without the assembler, parser, opener or `ByteBuffer`. By default the cipher the
/// tunnel uses (on Linux OpenSSL from 1 KiB on, BoringSSL below); `implementation` picks
/// one for every size, to compare them.
final class CipherPair {
    let payloadSize: Int
    private var sender: NoiseCipherState
    private var receiver: NoiseCipherState
    private let frame: UnsafeMutableRawBufferPointer

    init(payloadSize: Int, implementation: ChaChaPolyImplementation? = nil) throws {
        self.payloadSize = payloadSize
        let (client, server) = try HandshakePeers().handshake()
        sender = client.sender
        receiver = server.receiver
        if let implementation {
            guard let sender = sender.using(implementation), let receiver = receiver.using(implementation) else {
                throw FixtureError("\(implementation) is not available here")
            }
            self.sender = sender
            self.receiver = receiver
        }
        frame = .allocate(byteCount: payloadSize + NoiseCipherState.tagByteCount, alignment: 16)
        frame.initializeMemory(as: UInt8.self, repeating: 0xA5)
    }

    deinit { frame.deallocate() }

    /// `sealInPlace` then `openInPlace` on the same bytes, which end as plaintext again.
    /// Returns the plaintext length.
    func sealThenOpen() throws -> Int {
        _ = try sender.sealInPlace(frame, plaintextCount: payloadSize)
        return try receiver.openInPlace(frame)
    }
}
