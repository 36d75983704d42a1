/// Transport frames sealed and opened where they lie: the buffer-to-buffer calls of
/// NoiseCipherState+Transport with input and output the same memory, which the C
/// context allows, so the checks and the nonce rules are the same.
extension NoiseCipherState {
    /// Encrypts the first `plaintextCount` bytes of `frame` in place and writes the tag
    /// after them, with the current nonce; then increments the nonce. `frame` must hold
    /// `plaintextCount + 16` bytes. Returns the sealed length.
    public mutating func sealInPlace(_ frame: UnsafeMutableRawBufferPointer, plaintextCount: Int) throws -> Int {
        guard plaintextCount <= frame.count else {
            throw HyperionCryptoError(
                .invalidMessageLength,
                "the frame buffer holds \(frame.count) bytes; sealing \(plaintextCount) bytes needs \(plaintextCount + Self.tagByteCount)"
            )
        }
        return try seal(UnsafeRawBufferPointer(rebasing: frame[..<plaintextCount]), into: frame)
    }

    /// Verifies and decrypts `frame` (ciphertext || 16-byte tag) in place with the current
    /// nonce; then increments the nonce. The plaintext is the first `frame.count - 16`
    /// bytes. A tag that does not verify throws `.authenticationFailed` and leaves the
    /// nonce unchanged (no plaintext is left; the connection must end).
    public mutating func openInPlace(_ frame: UnsafeMutableRawBufferPointer) throws -> Int {
        try open(UnsafeRawBufferPointer(frame), into: frame)
    }
}
