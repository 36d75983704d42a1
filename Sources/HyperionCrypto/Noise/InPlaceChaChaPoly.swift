import CHyperionAEAD

/// A ChaCha20-Poly1305 key that seals and opens between caller-owned buffers, or in place
/// (OpenSSL's libcrypto on Linux, BoringSSL elsewhere; see CHyperionAEAD). The transport
/// path uses it so a frame is encrypted or decrypted with no allocation and no copy besides
/// the cipher's own output.
///
/// The key never changes after creation and the C context may be used from several
/// threads, so sharing it between copies of a `NoiseCipherState` is safe.
final class InPlaceChaChaPoly: @unchecked Sendable {
    static let tagByteCount = 16
    private let context: UnsafeMutableRawPointer

    init(key: [UInt8]) {
        precondition(key.count == 32, "a ChaCha20-Poly1305 key is 32 bytes")
        guard let context = key.withUnsafeBufferPointer({ hyperion_chachapoly_new($0.baseAddress!) }) else {
            fatalError("could not allocate a ChaCha20-Poly1305 context")
        }
        self.context = context
    }

    deinit { hyperion_chachapoly_free(context) }

    /// Encrypts `count` bytes from `input` into `output` (count + 16 bytes: ciphertext, tag).
    /// `input` may be `output`'s start (in place), and must not otherwise overlap it.
    func seal(from input: UnsafeRawPointer, count: Int, into output: UnsafeMutableRawBufferPointer, nonce: UnsafeRawBufferPointer) -> Bool {
        precondition(output.count >= count + Self.tagByteCount && nonce.count == 12)
        return hyperion_chachapoly_seal(
            context, nonce.baseAddress!.assumingMemoryBound(to: UInt8.self),
            output.baseAddress!.assumingMemoryBound(to: UInt8.self), input.assumingMemoryBound(to: UInt8.self), count
        ) == 1
    }

    /// Verifies and decrypts `input` (ciphertext || tag) into `output`, which needs
    /// `input.count - 16` bytes; `output` may start where `input` does.
    func open(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawPointer, nonce: UnsafeRawBufferPointer) -> Bool {
        precondition(nonce.count == 12)
        guard input.count >= Self.tagByteCount else { return false }
        return hyperion_chachapoly_open(
            context, nonce.baseAddress!.assumingMemoryBound(to: UInt8.self),
            output.assumingMemoryBound(to: UInt8.self), input.baseAddress!.assumingMemoryBound(to: UInt8.self), input.count
        ) == 1
    }
}
