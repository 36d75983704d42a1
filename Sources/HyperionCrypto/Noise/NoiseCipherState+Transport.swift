import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Transport frames (PROTOCOL.md §4): ChaChaPoly with empty associated data, on buffers the
/// caller owns and reuses for every frame.
///
/// swift-crypto's public API takes and returns `Data`, so each direction costs the cipher's
/// own output buffer plus one copy into `Data` (open) or out of the sealed box (seal); the
/// sizes are checked before anything is encrypted, decrypted or written.
extension NoiseCipherState {
    /// The largest plaintext of one transport frame.
    public static let maximumPlaintextByteCount = 16384

    /// Encrypts `plaintext` into `output` (which needs `plaintext.count + 16` bytes) with the
    /// current nonce, then increments the nonce. Returns the number of bytes written.
    public mutating func seal(_ plaintext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        guard plaintext.count <= Self.maximumPlaintextByteCount else {
            throw HyperionCryptoError(
                .invalidMessageLength,
                "a transport frame carries at most \(Self.maximumPlaintextByteCount) plaintext bytes, got \(plaintext.count)"
            )
        }
        let sealedCount = plaintext.count + Self.tagByteCount
        guard output.count >= sealedCount else {
            throw HyperionCryptoError(
                .invalidMessageLength,
                "the output buffer holds \(output.count) bytes; sealing \(plaintext.count) bytes needs \(sealedCount)"
            )
        }
        let box: ChaChaPoly.SealedBox
        do {
            box = try ChaChaPoly.seal(plaintext, using: key, nonce: claimNonce())
        } catch let error as HyperionCryptoError {
            throw error
        } catch {
            throw HyperionCryptoError(.authenticationFailed, "ChaCha20-Poly1305 could not encrypt a transport frame")
        }
        // `combined` is nonce || ciphertext || tag; the frame is everything after the nonce.
        box.combined.withUnsafeBytes { combined in
            output.baseAddress!.copyMemory(from: combined.baseAddress! + Self.chachaNonceByteCount, byteCount: sealedCount)
        }
        nonce += 1
        return sealedCount
    }

    /// Decrypts `ciphertext` (ciphertext || 16-byte tag) into `output` (which needs
    /// `ciphertext.count - 16` bytes) with the current nonce, then increments the nonce.
    /// Returns the number of bytes written. A tag that does not verify throws
    /// `.authenticationFailed`, writes nothing and leaves the nonce unchanged.
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
        let chachaNonce = try claimNonce()
        // SealedBox wants nonce || ciphertext || tag in one Data: build it with one copy,
        // through `append(_:count:)`, Data's memcpy path.
        var combined = Data(capacity: Self.chachaNonceByteCount + ciphertext.count)
        chachaNonce.withUnsafeBytes { combined.append($0.assumingMemoryBound(to: UInt8.self).baseAddress!, count: $0.count) }
        combined.append(ciphertext.assumingMemoryBound(to: UInt8.self).baseAddress!, count: ciphertext.count)
        let plaintext: Data
        do {
            plaintext = try ChaChaPoly.open(ChaChaPoly.SealedBox(combined: combined), using: key)
        } catch {
            throw HyperionCryptoError(.authenticationFailed, "a transport frame did not authenticate; the connection must end")
        }
        plaintext.withUnsafeBytes { bytes in
            if plaintextCount > 0 { output.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: plaintextCount) }
        }
        nonce += 1
        return plaintextCount
    }
}
