import Crypto

/// A Noise CipherState (spec §5.1) for ChaChaPoly: a key and a 64-bit nonce counter.
///
/// Only keyed cipher states exist as values: the "empty key" of the spec is modelled by
/// `NoiseSymmetricState` holding no cipher state at all. The ChaChaPoly key is built once
/// here, not on every frame; the C context for transport frames once, on the first frame.
public struct NoiseCipherState: Sendable, CustomStringConvertible {
    /// The Poly1305 tag appended to every ciphertext.
    public static let tagByteCount = 16

    /// Replaced only by `rekey()`.
    private(set) var key: SymmetricKey
    /// The same key as an in-place C context, for transport frames (no `Data`, no copies).
    /// Made by the first transport frame: the handshake's own messages go through
    /// swift-crypto, so its five cipher states per side never need one (each would cost an
    /// OpenSSL and a BoringSSL key set-up, two of them before the peer is authenticated).
    private var transportContext: InPlaceChaChaPoly?
    /// The nonce the next encryption or decryption uses: the number of messages processed.
    public internal(set) var nonce: UInt64 = 0

    init(key: [UInt8]) {
        precondition(key.count == NoiseHash.hashByteCount, "a Noise cipher key is 32 bytes")
        self.key = SymmetricKey(data: key)
    }

    /// Puts `newKey` in place of the key; the C context for it is made on the next frame.
    /// The nonce is left as it is (only `rekey()` calls this, and REKEY keeps the counter).
    mutating func replaceKey(with newKey: [UInt8]) {
        precondition(newKey.count == NoiseHash.hashByteCount, "a Noise cipher key is 32 bytes")
        key = SymmetricKey(data: newKey)
        transportContext = nil
    }

    /// Whether the transport frames' C context exists yet (for tests).
    var hasTransportContext: Bool { transportContext != nil }

    /// The transport frames' C context, made on first use.
    mutating func transportAEAD() throws -> InPlaceChaChaPoly {
        if let transportContext { return transportContext }
        guard let made = makeContext({ InPlaceChaChaPoly(key: $0) }) else {
            throw HyperionCryptoError(.cipherUnavailable, "no ChaCha20-Poly1305 context could be set up (out of memory?); the connection must end")
        }
        transportContext = made
        return made
    }

    /// Loads the transport cipher's library ahead of the first connection (OpenSSL's first
    /// use costs about 1.3 ms). Servers and clients call it as they start.
    public static func prepareTransportCipher() {
        InPlaceChaChaPoly.prepare()
    }

    /// The same key and nonce, sealed and opened in place by one implementation; nil where it
    /// is unavailable. For the microbenchmarks.
    @_spi(Benchmarks) public func using(_ implementation: ChaChaPolyImplementation) -> NoiseCipherState? {
        guard let context = makeContext({ InPlaceChaChaPoly(key: $0, using: implementation) }) else { return nil }
        var copy = self
        copy.transportContext = context
        return copy
    }

    /// Hands `make` this state's key as bytes, wiped again once the C context has it.
    private func makeContext(_ make: ([UInt8]) -> InPlaceChaChaPoly?) -> InPlaceChaChaPoly? {
        var keyBytes = key.withUnsafeBytes { Array($0) }
        defer { wipeSecret(&keyBytes) }
        return make(keyBytes)
    }

    public var description: String { "NoiseCipherState(nonce: \(nonce), key: <redacted>)" }

    /// ENCRYPT(k, n, ad, plaintext) of the handshake, then n += 1.
    mutating func encrypt(_ plaintext: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        let nonce = try claimNonce()
        let box: ChaChaPoly.SealedBox
        do {
            box = try ChaChaPoly.seal(plaintext, using: key, nonce: nonce, authenticating: associatedData)
        } catch {
            throw HyperionCryptoError(.authenticationFailed, "ChaCha20-Poly1305 could not encrypt a handshake message")
        }
        self.nonce += 1
        return Array(box.combined.dropFirst(Self.chachaNonceByteCount))
    }

    /// DECRYPT(k, n, ad, ciphertext) of the handshake, then n += 1. On failure n is left
    /// unchanged, as the spec requires.
    mutating func decrypt(_ ciphertext: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        guard ciphertext.count >= Self.tagByteCount else {
            throw HyperionCryptoError(.authenticationFailed, "a ciphertext is shorter than its 16-byte tag")
        }
        let nonce = try claimNonce()
        let split = ciphertext.count - Self.tagByteCount
        let plaintext: [UInt8]
        do {
            let box = try ChaChaPoly.SealedBox(nonce: nonce, ciphertext: ciphertext[..<split], tag: ciphertext[split...])
            plaintext = Array(try ChaChaPoly.open(box, using: key, authenticating: associatedData))
        } catch {
            throw HyperionCryptoError(.authenticationFailed, "a ciphertext did not authenticate")
        }
        self.nonce += 1
        return plaintext
    }

    static let chachaNonceByteCount = 12

    /// The ChaChaPoly nonce for the current counter (see `nonceWords`).
    func claimNonce() throws -> ChaChaPoly.Nonce {
        var bytes = try nonceWords()
        // Twelve bytes are exactly a ChaChaPoly nonce, so this cannot fail; 12 bytes fit in
        // `Data`'s inline storage, so it does not allocate either.
        return withUnsafeBytes(of: &bytes) { try! ChaChaPoly.Nonce(data: $0) }
    }

    /// The 12 nonce bytes for the current counter: 4 zero bytes, then the counter as a
    /// 64-bit little-endian integer. Refuses the reserved nonce 2^64-1 (spec §5.1).
    func nonceWords() throws -> (UInt32, UInt32, UInt32) {
        guard nonce < UInt64.max else {
            throw HyperionCryptoError(.nonceExhausted, "this Noise session has used all its nonces; reconnect to continue")
        }
        return (0, UInt32(truncatingIfNeeded: nonce).littleEndian, UInt32(truncatingIfNeeded: nonce >> 32).littleEndian)
    }

    /// Test support: a cipher state whose counter starts at `nonce`, to reach exhaustion
    /// without 2^64 encryptions.
    init(key: [UInt8], nonce: UInt64) {
        self.init(key: key)
        self.nonce = nonce
    }
}
