/// A Noise SymmetricState (spec §5.2): the handshake hash `h`, the chaining key `ck`, and
/// the cipher state that encrypts handshake payloads once a key has been mixed in.
struct NoiseSymmetricState: Sendable {
    /// The handshake hash: every byte sent or received so far, so both sides prove they saw
    /// the same transcript.
    private(set) var handshakeHash: [UInt8]
    /// The chaining key, into which every DH result and the PSK are mixed.
    private(set) var chainingKey: [UInt8]
    /// `nil` until the first MixKey: the spec's "k is empty", where payloads travel in clear.
    private(set) var cipher: NoiseCipherState?

    /// InitializeSymmetric(protocol_name).
    init(protocolName: [UInt8]) {
        if protocolName.count <= NoiseHash.hashByteCount {
            handshakeHash = protocolName + [UInt8](repeating: 0, count: NoiseHash.hashByteCount - protocolName.count)
        } else {
            handshakeHash = NoiseHash.hash(protocolName)
        }
        chainingKey = handshakeHash
    }

    /// MixHash(data): h = HASH(h || data).
    mutating func mixHash(_ data: [UInt8]) {
        handshakeHash = NoiseHash.hash(handshakeHash, data)
    }

    /// MixKey(input_key_material): ck, k = HKDF(ck, ikm, 2); n = 0.
    mutating func mixKey(_ inputKeyMaterial: [UInt8]) {
        var outputs = NoiseHash.hkdf(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial, outputs: 2)
        defer { Self.wipe(&outputs) }
        swap(&chainingKey, &outputs[0])  // the old chaining key is wiped with the other outputs
        cipher = NoiseCipherState(key: outputs[1])
    }

    /// MixKeyAndHash(input_key_material): ck, temp_h, k = HKDF(ck, ikm, 3); MixHash(temp_h);
    /// n = 0. This is how the PSK enters.
    mutating func mixKeyAndHash(_ inputKeyMaterial: [UInt8]) {
        var outputs = NoiseHash.hkdf(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial, outputs: 3)
        defer { Self.wipe(&outputs) }
        swap(&chainingKey, &outputs[0])  // the old chaining key is wiped with the other outputs
        mixHash(outputs[1])
        cipher = NoiseCipherState(key: outputs[2])
    }

    /// Wipes HKDF outputs once they have been copied where they belong (the cipher state
    /// keeps its key in swift-crypto's `SymmetricKey`, which wipes itself), and the old
    /// chaining key swapped in for the new one.
    private static func wipe(_ outputs: inout [[UInt8]]) {
        for index in outputs.indices { wipeSecret(&outputs[index]) }
    }

    /// EncryptAndHash(plaintext): the ciphertext is bound to the transcript by using h as
    /// associated data, then mixed into h.
    mutating func encryptAndHash(_ plaintext: [UInt8]) throws -> [UInt8] {
        let ciphertext = try cipher?.encrypt(plaintext, associatedData: handshakeHash) ?? plaintext
        mixHash(ciphertext)
        return ciphertext
    }

    /// DecryptAndHash(ciphertext).
    mutating func decryptAndHash(_ ciphertext: [UInt8]) throws -> [UInt8] {
        let plaintext = try cipher?.decrypt(ciphertext, associatedData: handshakeHash) ?? ciphertext
        mixHash(ciphertext)
        return plaintext
    }

    /// Split(): the two transport cipher states, initiator-to-responder first.
    func split() -> (NoiseCipherState, NoiseCipherState) {
        var outputs = NoiseHash.hkdf(chainingKey: chainingKey, inputKeyMaterial: [], outputs: 2)
        defer { Self.wipe(&outputs) }
        return (NoiseCipherState(key: outputs[0]), NoiseCipherState(key: outputs[1]))
    }
}
