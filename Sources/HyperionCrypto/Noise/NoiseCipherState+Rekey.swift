/// REKEY (Noise spec §4.2 and §11.3): the key is replaced by the first 32 bytes of
/// ENCRYPT(k, 2⁶⁴−1, empty associated data, 32 zero bytes). The nonce counter goes on
/// from where it was: the key differs, so no (key, nonce) pair repeats, and the counter
/// still only grows.
///
/// Used between Hyperion peers that both opted in (PROTOCOL.md §10.3): once a key is
/// replaced, whoever reads this state's memory later cannot open the frames sealed before.
extension NoiseCipherState {
    /// Replaces the key as REKEY says; `nonce` is unchanged. The derivation runs in the
    /// transport context (no `Data`, so every copy of the new key is wiped); the context
    /// for the new key is made on the next frame.
    public mutating func rekey() throws {
        let aead = try transportAEAD()
        // 32 zero bytes encrypted in place, then the 16-byte tag, which REKEY drops.
        var block = [UInt8](repeating: 0, count: NoiseHash.hashByteCount + Self.tagByteCount)
        defer { wipeSecret(&block) }
        // 4 zero bytes, then 2⁶⁴−1 (little-endian: all ones), which no frame ever uses.
        var nonceBytes: (UInt32, UInt32, UInt32) = (0, .max, .max)
        let sealed = block.withUnsafeMutableBytes { output in
            withUnsafeBytes(of: &nonceBytes) { nonce in
                aead.seal(from: UnsafeRawPointer(output.baseAddress!), count: NoiseHash.hashByteCount, into: output, nonce: nonce)
            }
        }
        guard sealed else {
            throw HyperionCryptoError(.authenticationFailed, "ChaCha20-Poly1305 could not derive a new transport key; the connection must end")
        }
        var newKey = Array(block[..<NoiseHash.hashByteCount])
        defer { wipeSecret(&newKey) }
        replaceKey(with: newKey)
    }
}

/// The rekey marker's tag (PROTOCOL.md §10.3): the encryption of an empty plaintext at the
/// current nonce, with the marker's length field as associated data, so that a marker and
/// an empty §4 frame never share a tag. Rare, so through swift-crypto.
extension NoiseCipherState {
    /// ENCRYPT(k, n, associatedData, empty): the 16-byte tag; then n += 1.
    public mutating func sealEmpty(authenticating associatedData: [UInt8]) throws -> [UInt8] {
        try encrypt([], associatedData: associatedData)
    }

    /// DECRYPT(k, n, associatedData, tag) of an empty plaintext; then n += 1. A tag that
    /// does not verify throws `.authenticationFailed` and leaves n unchanged.
    public mutating func openEmpty(_ tag: [UInt8], authenticating associatedData: [UInt8]) throws {
        guard tag.count == Self.tagByteCount else {
            throw HyperionCryptoError(.authenticationFailed, "an empty message's ciphertext is its 16-byte tag, got \(tag.count) bytes")
        }
        _ = try decrypt(tag, associatedData: associatedData)
    }
}
