import Testing
@testable import HyperionCrypto

@Suite struct NoiseSymmetricStateTests {
    /// Names longer than 32 bytes are hashed; shorter ones are zero-padded (spec §5.2).
    @Test func initialHashFollowsNameLength() {
        let long = NoiseSymmetricState(protocolName: Array(HyperionNoise.protocolName.utf8))
        #expect(long.handshakeHash == NoiseHash.hash(Array(HyperionNoise.protocolName.utf8)))
        #expect(long.chainingKey == long.handshakeHash)
        #expect(long.cipher == nil)

        let short = NoiseSymmetricState(protocolName: Array("Noise_NN".utf8))
        #expect(short.handshakeHash == Array("Noise_NN".utf8) + [UInt8](repeating: 0, count: 24))
    }

    @Test func mixHashChainsTheTranscript() {
        var state = NoiseSymmetricState(protocolName: Array("x".utf8))
        let before = state.handshakeHash
        state.mixHash([1, 2, 3])
        #expect(state.handshakeHash == NoiseHash.hash(before + [1, 2, 3]))
    }

    /// Before the first MixKey, payloads travel in clear but are still hashed.
    @Test func withoutKeyPayloadIsClearButHashed() throws {
        var state = NoiseSymmetricState(protocolName: Array("x".utf8))
        let before = state.handshakeHash
        #expect(try state.encryptAndHash([4, 5]) == [4, 5])
        #expect(state.handshakeHash == NoiseHash.hash(before + [4, 5]))
    }

    @Test func bothSidesAgreeAfterTheSameOperations() throws {
        var a = NoiseSymmetricState(protocolName: Array(HyperionNoise.protocolName.utf8))
        var b = a
        a.mixKey([7]); b.mixKey([7])
        let ciphertext = try a.encryptAndHash(Array("hello".utf8))
        #expect(ciphertext.count == 5 + 16)
        #expect(try b.decryptAndHash(ciphertext) == Array("hello".utf8))
        a.mixKeyAndHash([8]); b.mixKeyAndHash([8])
        #expect(a.handshakeHash == b.handshakeHash)
        let (a1, a2) = a.split()
        var (b1, b2) = b.split()
        var sender1 = a1, sender2 = a2
        #expect(try b1.open(sender1.seal([1])) == [1])
        #expect(try b2.open(sender2.seal([2])) == [2])
    }

    @Test func alteredCiphertextFailsAndHashIsUnchanged() throws {
        var a = NoiseSymmetricState(protocolName: Array("x".utf8))
        a.mixKey([1])
        var b = a
        var ciphertext = try a.encryptAndHash([1, 2, 3])
        ciphertext[0] ^= 0x80
        let before = b.handshakeHash
        expectCryptoError(.authenticationFailed) { try b.decryptAndHash(ciphertext) }
        #expect(b.handshakeHash == before)
    }

    /// The handshake's cipher states encrypt through swift-crypto and never set up the C
    /// context of transport frames; a transport state sets it up with its first frame.
    @Test func onlyTransportFramesSetUpTheInPlaceContext() throws {
        var state = NoiseSymmetricState(protocolName: Array(HyperionNoise.protocolName.utf8))
        state.mixKey([UInt8](repeating: 1, count: 32))
        state.mixKeyAndHash([UInt8](repeating: 2, count: 32))
        _ = try state.encryptAndHash([1, 2, 3])
        #expect(state.cipher?.hasTransportContext == false)
        var (sender, _) = state.split()
        #expect(!sender.hasTransportContext)
        var frame = [UInt8](repeating: 0, count: 3 + NoiseCipherState.tagByteCount)
        _ = try frame.withUnsafeMutableBytes { try sender.sealInPlace($0, plaintextCount: 3) }
        #expect(sender.hasTransportContext)
    }
}
