/// Transport frames sealed and opened where they lie (PROTOCOL.md §4): ChaChaPoly with
/// empty associated data and the Noise nonce, with no allocation and no copy.
extension NoiseCipherState {
    /// Encrypts the first `plaintextCount` bytes of `frame` in place and writes the tag
    /// after them, with the current nonce; then increments the nonce. `frame` must hold
    /// `plaintextCount + 16` bytes. Returns the sealed length.
    public mutating func sealInPlace(_ frame: UnsafeMutableRawBufferPointer, plaintextCount: Int) throws -> Int {
        guard plaintextCount <= Self.maximumPlaintextByteCount else {
            throw HyperionCryptoError(
                .invalidMessageLength,
                "a transport frame carries at most \(Self.maximumPlaintextByteCount) plaintext bytes, got \(plaintextCount)"
            )
        }
        guard frame.count >= plaintextCount + Self.tagByteCount else {
            throw HyperionCryptoError(
                .invalidMessageLength,
                "the frame buffer holds \(frame.count) bytes; sealing \(plaintextCount) bytes needs \(plaintextCount + Self.tagByteCount)"
            )
        }
        var nonceBytes = try nonceWords()
        let sealed = withUnsafeBytes(of: &nonceBytes) {
            inPlace.seal(from: UnsafeRawPointer(frame.baseAddress!), count: plaintextCount, into: frame, nonce: $0)
        }
        guard sealed else {
            throw HyperionCryptoError(.authenticationFailed, "ChaCha20-Poly1305 could not encrypt a transport frame")
        }
        nonce += 1
        return plaintextCount + Self.tagByteCount
    }

    /// Verifies and decrypts `frame` (ciphertext || 16-byte tag) in place with the current
    /// nonce; then increments the nonce. The plaintext is the first `frame.count - 16`
    /// bytes. A tag that does not verify throws `.authenticationFailed` and leaves the
    /// nonce unchanged (the frame's bytes are then unspecified; the connection must end).
    public mutating func openInPlace(_ frame: UnsafeMutableRawBufferPointer) throws -> Int {
        let maximum = Self.maximumPlaintextByteCount + Self.tagByteCount
        guard (Self.tagByteCount...maximum).contains(frame.count) else {
            throw HyperionCryptoError(
                .invalidMessageLength,
                "a transport frame is \(Self.tagByteCount) to \(maximum) bytes, got \(frame.count)"
            )
        }
        var nonceBytes = try nonceWords()
        guard withUnsafeBytes(of: &nonceBytes, { inPlace.open(UnsafeRawBufferPointer(frame), into: frame.baseAddress!, nonce: $0) }) else {
            throw HyperionCryptoError(.authenticationFailed, "a transport frame did not authenticate; the connection must end")
        }
        nonce += 1
        return frame.count - Self.tagByteCount
    }
}
