/// Transport frames (PROTOCOL.md §4): ChaChaPoly with empty associated data, on buffers the
/// caller owns and reuses for every frame.
///
/// The cipher writes straight into `output` (CHyperionAEAD through `InPlaceChaChaPoly`, not
/// swift-crypto's `Data` API, which would cost an allocation and two copies per frame).
/// The sizes are checked before anything is encrypted, decrypted or written.
extension NoiseCipherState {
    /// The largest plaintext of one transport frame.
    public static let maximumPlaintextByteCount = 16384

    /// Encrypts `plaintext` into `output` (which needs `plaintext.count + 16` bytes) with the
    /// current nonce, then increments the nonce. Returns the number of bytes written.
    /// `plaintext` may start where `output` does (in place) but must not otherwise overlap it.
    public mutating func seal(_ plaintext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        let aead = try transportAEAD()
        return try sealFrame(plaintextCount: plaintext.count, outputCount: output.count) { nonce in
            plaintext.count == 0
                ? aead.seal(from: UnsafeRawPointer(output.baseAddress!), count: 0, into: output, nonce: nonce)
                : aead.seal(from: plaintext.baseAddress!, count: plaintext.count, into: output, nonce: nonce)
        }
    }

    /// Encrypts the `plaintextCount` bytes that `pieces` hands over, in order, into `output`
    /// (which needs `plaintextCount + 16` bytes) with the current nonce, then increments the
    /// nonce. Returns the number of bytes written. The pieces need not be copied together
    /// first: `pieces` calls the function it is given with each one (no piece may overlap
    /// `output`). Pieces that do not add up to `plaintextCount` throw (see `sealFrame`).
    public mutating func seal(
        plaintextCount: Int, into output: UnsafeMutableRawBufferPointer,
        gathering pieces: (_ add: (UnsafeRawBufferPointer) -> Void) -> Void
    ) throws -> Int {
        let aead = try transportAEAD()
        return try sealFrame(plaintextCount: plaintextCount, outputCount: output.count) { nonce in
            aead.seal(count: plaintextCount, into: output, nonce: nonce, gathering: pieces)
        }
    }

    /// What both seals share: the size checks before anything is encrypted, the nonce, and
    /// its increment. A failed `encrypt` (given the 12 nonce bytes) still uses the nonce up:
    /// the output is zeroed, but part of a ciphertext under that nonce may have existed, so
    /// no retry may ever use it again. The peer then fails the next frame, which ends the
    /// connection; the callers end it anyway.
    private mutating func sealFrame(plaintextCount: Int, outputCount: Int, _ encrypt: (UnsafeRawBufferPointer) -> Bool) throws -> Int {
        guard plaintextCount <= Self.maximumPlaintextByteCount else {
            throw HyperionCryptoError(
                .invalidMessageLength,
                "a transport frame carries at most \(Self.maximumPlaintextByteCount) plaintext bytes, got \(plaintextCount)"
            )
        }
        let sealedCount = plaintextCount + Self.tagByteCount
        guard outputCount >= sealedCount else {
            throw HyperionCryptoError(
                .invalidMessageLength,
                "the output buffer holds \(outputCount) bytes; sealing \(plaintextCount) bytes needs \(sealedCount)"
            )
        }
        var nonceBytes = try nonceWords()
        let sealed = withUnsafeBytes(of: &nonceBytes, encrypt)
        nonce += 1
        guard sealed else {
            throw HyperionCryptoError(.authenticationFailed, "ChaCha20-Poly1305 could not encrypt a transport frame")
        }
        return sealedCount
    }

    /// Decrypts `ciphertext` (ciphertext || 16-byte tag) into `output` (which needs
    /// `ciphertext.count - 16` bytes) with the current nonce, then increments the nonce.
    /// Returns the number of bytes written. A tag that does not verify throws
    /// `.authenticationFailed`, leaves no plaintext in `output` (it is zeroed) and
    /// leaves the nonce unchanged. `output` may start where `ciphertext` does (in place).
    public mutating func open(_ ciphertext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        let maximum = Self.maximumPlaintextByteCount + Self.tagByteCount
        guard (Self.tagByteCount...maximum).contains(ciphertext.count) else {
            throw HyperionCryptoError(
                .invalidMessageLength,
                "a transport frame is \(Self.tagByteCount) to \(maximum) bytes, got \(ciphertext.count)"
            )
        }
        let plaintextCount = ciphertext.count - Self.tagByteCount
        guard output.count >= plaintextCount else {
            throw HyperionCryptoError(
                .invalidMessageLength,
                "the output buffer holds \(output.count) bytes; opening this frame needs \(plaintextCount)"
            )
        }
        let aead = try transportAEAD()
        var nonceBytes = try nonceWords()
        var scratch: UInt8 = 0
        let opened = withUnsafeBytes(of: &nonceBytes) { nonceBuffer in
            // An empty plaintext still needs somewhere to point.
            plaintextCount == 0
                ? withUnsafeMutableBytes(of: &scratch) { aead.open(ciphertext, into: $0.baseAddress!, nonce: nonceBuffer) }
                : aead.open(ciphertext, into: output.baseAddress!, nonce: nonceBuffer)
        }
        guard opened else {
            throw HyperionCryptoError(.authenticationFailed, "a transport frame did not authenticate; the connection must end")
        }
        nonce += 1
        return plaintextCount
    }
}
