import CHyperionAEAD

/// The C library behind an in-place ChaCha20-Poly1305 context. Both compute the same bytes;
/// OpenSSL is faster here. SPI for the microbenchmarks, which time them side by side.
@_spi(Benchmarks) public enum ChaChaPolyImplementation: Int32, CaseIterable, Sendable {
    case openSSL = 1
    case boringSSL = 2
}

/// A ChaCha20-Poly1305 key that seals and opens between caller-owned buffers, or in place
/// (on Linux OpenSSL's libcrypto from 1 KiB on where it offers the cipher, else BoringSSL;
/// see CHyperionAEAD). The transport path uses it so a frame is encrypted or decrypted with no
/// allocation and no copy besides the cipher's own output.
///
/// The key never changes after creation and the C context may be used from several
/// threads, so sharing it between copies of a `NoiseCipherState` is safe.
final class InPlaceChaChaPoly: @unchecked Sendable {
    typealias Implementation = ChaChaPolyImplementation

    static let tagByteCount = 16
    private let context: UnsafeMutableRawPointer

    /// A context from the fastest implementation available, or nil if neither could set one
    /// up (out of memory).
    convenience init?(key: [UInt8]) {
        guard let context = Self.makeContext(key: key, backend: Int32(HYPERION_AEAD_ANY)) else { return nil }
        self.init(context: context)
    }

    /// A context from one implementation, or nil where it is unavailable (OpenSSL off Linux,
    /// or a libcrypto that does not offer ChaCha20-Poly1305). For tests and benchmarks.
    convenience init?(key: [UInt8], using implementation: Implementation) {
        guard let context = Self.makeContext(key: key, backend: implementation.rawValue) else { return nil }
        self.init(context: context)
    }

    private init(context: UnsafeMutableRawPointer) { self.context = context }

    /// Loads the cipher library now, so its first use (OpenSSL reads its configuration and
    /// loads a provider, about 1.3 ms) does not land in the first handshake.
    static func prepare() {
        hyperion_chachapoly_prepare()
    }

    private static func makeContext(key: [UInt8], backend: Int32) -> UnsafeMutableRawPointer? {
        precondition(key.count == 32, "a ChaCha20-Poly1305 key is 32 bytes")
        return key.withUnsafeBufferPointer { hyperion_chachapoly_new_using($0.baseAddress!, backend) }
    }

    /// The implementation that seals or opens a message of `count` plaintext bytes.
    func implementation(forMessageOf count: Int) -> Implementation {
        Implementation(rawValue: hyperion_chachapoly_backend(context, count))!
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

    /// Encrypts `count` bytes that `pieces` hands over one piece at a time (to the function
    /// it is given, in order) into `output` (count + 16 bytes: ciphertext, tag), without
    /// copying the pieces together first where the implementation allows. No piece may
    /// overlap `output`. False if the pieces do not add up to `count` or the cipher fails.
    func seal(
        count: Int, into output: UnsafeMutableRawBufferPointer, nonce: UnsafeRawBufferPointer,
        gathering pieces: (_ add: (UnsafeRawBufferPointer) -> Void) -> Void
    ) -> Bool {
        precondition(output.count >= count + Self.tagByteCount && nonce.count == 12)
        let out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let started = hyperion_chachapoly_gather_begin(context, nonce.baseAddress!.assumingMemoryBound(to: UInt8.self), out, count) == 1
        if started {
            pieces { piece in
                guard let base = piece.baseAddress else { return }
                hyperion_chachapoly_gather_piece(context, base.assumingMemoryBound(to: UInt8.self), piece.count)
            }
        }
        // `end` releases the context's lock, so it runs whether or not `begin` succeeded.
        return hyperion_chachapoly_gather_end(context) == 1 && started
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
