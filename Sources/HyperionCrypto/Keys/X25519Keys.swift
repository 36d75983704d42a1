import Crypto

/// An X25519 public key: a server's or admin's static identity, or an ephemeral.
///
/// Public keys are not secret, but the server's allowlist check is still constant-time
/// (PROTOCOL.md §3), so equality here is constant-time too.
public struct X25519PublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32 raw bytes.
    public let rawBytes: [UInt8]

    public init(rawBytes: some Collection<UInt8>) throws {
        guard rawBytes.count == 32 else {
            throw HyperionCryptoError(.invalidKeyLength, "an X25519 public key is 32 bytes, got \(rawBytes.count)")
        }
        self.rawBytes = Array(rawBytes)
    }

    /// Parses the 44-character base64 text form. `what` names the key in the error message,
    /// for example `"server_pubkey of [[server]] web1"`.
    public init(base64 text: String, what: String = "public key") throws {
        self.rawBytes = try KeyText.decode(text, what: what)
    }

    /// The 44-character base64 text form.
    public var base64: String { KeyText.encode(rawBytes) }
    public var description: String { base64 }

    public static func == (lhs: X25519PublicKey, rhs: X25519PublicKey) -> Bool {
        ConstantTime.equals(lhs.rawBytes, rhs.rawBytes)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawBytes) }
}

/// An X25519 secret key. Its `description` never shows the key.
public struct X25519SecretKey: Sendable, CustomStringConvertible {
    @usableFromInline
    let key: Curve25519.KeyAgreement.PrivateKey

    /// A new random key from the system's secure generator.
    public static func generate() -> X25519SecretKey {
        X25519SecretKey(key: Curve25519.KeyAgreement.PrivateKey())
    }

    init(key: Curve25519.KeyAgreement.PrivateKey) { self.key = key }

    public init(rawBytes: some Collection<UInt8>) throws {
        guard rawBytes.count == 32 else {
            throw HyperionCryptoError(.invalidKeyLength, "an X25519 secret key is 32 bytes, got \(rawBytes.count)")
        }
        do {
            self.key = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Array(rawBytes))
        } catch {
            throw HyperionCryptoError(.invalidKeyLength, "an X25519 secret key is 32 bytes")
        }
    }

    /// Parses the 44-character base64 text form. `what` names the key in the error.
    public init(base64 text: String, what: String = "secret key") throws {
        try self.init(rawBytes: KeyText.decode(text, what: what))
    }

    public var publicKey: X25519PublicKey {
        // The public key of a valid private key is always 32 bytes.
        try! X25519PublicKey(rawBytes: key.publicKey.rawRepresentation)
    }

    /// The 32 raw secret bytes. Only key files and the Noise state machine need these.
    public var rawBytes: [UInt8] { Array(key.rawRepresentation) }

    /// The base64 text form, as written into key files.
    public var base64: String { KeyText.encode(key.rawRepresentation) }

    /// X25519(self, peer). Throws when the result is all zeros, which happens only for a
    /// low-order peer key: such a key must never be accepted as an identity or ephemeral.
    public func sharedSecret(with peer: X25519PublicKey) throws -> [UInt8] {
        let peerKey: Curve25519.KeyAgreement.PublicKey
        do {
            peerKey = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: peer.rawBytes)
        } catch {
            throw HyperionCryptoError(.invalidPublicKey, "the peer's X25519 public key is malformed")
        }
        let secret: [UInt8]
        do {
            secret = try key.sharedSecretFromKeyAgreement(with: peerKey).withUnsafeBytes { Array($0) }
        } catch {
            throw HyperionCryptoError(.invalidPublicKey, "X25519 with the peer's public key failed")
        }
        // swift-crypto does not reject the all-zero result (it follows CryptoKit, see
        // X25519Keys_boring.swift), so the check is ours. Constant-time, like the DH itself.
        guard !ConstantTime.equals(secret, [UInt8](repeating: 0, count: secret.count)) else {
            throw HyperionCryptoError(.invalidPublicKey, "X25519 with the peer's public key gave a low-order result")
        }
        return secret
    }

    public var description: String { "X25519SecretKey(<redacted>)" }
}
