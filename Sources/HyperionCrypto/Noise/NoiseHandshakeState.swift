/// A Noise HandshakeState (spec §5.3) for IKpsk2: the symmetric state plus the four keys
/// the tokens refer to. The message patterns themselves are in
/// `NoiseHandshakeState+IKpsk2.swift`; this file holds the token operations they share.
struct NoiseHandshakeState: Sendable {
    static let keyByteCount = 32

    var symmetric: NoiseSymmetricState
    let localStatic: X25519SecretKey
    let localEphemeral: X25519SecretKey
    let presharedKey: PresharedKey
    /// The initiator knows it from the start (pre-message `<- s`); the responder learns it
    /// from message 1.
    var remoteStatic: X25519PublicKey?
    var remoteEphemeral: X25519PublicKey?

    /// Initialize(): protocol name, prologue, then the responder's static key as the one
    /// pre-message, which both sides hash identically.
    init(
        prologue: [UInt8], localStatic: X25519SecretKey, localEphemeral: X25519SecretKey,
        presharedKey: PresharedKey, responderStatic: X25519PublicKey, remoteStatic: X25519PublicKey?
    ) {
        symmetric = NoiseSymmetricState(protocolName: Array(HyperionNoise.protocolName.utf8))
        symmetric.mixHash(prologue)
        symmetric.mixHash(responderStatic.rawBytes)
        self.localStatic = localStatic
        self.localEphemeral = localEphemeral
        self.presharedKey = presharedKey
        self.remoteStatic = remoteStatic
    }

    /// Token `e`, sending: our ephemeral public key goes out in clear. In a PSK handshake it
    /// is also mixed into the key (spec §9.2), so the PSK-derived keys depend on it.
    mutating func writeEphemeral(into message: inout [UInt8]) {
        let publicKey = localEphemeral.publicKey.rawBytes
        message += publicKey
        symmetric.mixHash(publicKey)
        symmetric.mixKey(publicKey)
    }

    /// Token `e`, receiving. Returns the peer's ephemeral key, also kept in `remoteEphemeral`.
    mutating func readEphemeral(_ bytes: ArraySlice<UInt8>) throws -> X25519PublicKey {
        let publicKey = try X25519PublicKey(rawBytes: bytes)
        remoteEphemeral = publicKey
        symmetric.mixHash(publicKey.rawBytes)
        symmetric.mixKey(publicKey.rawBytes)
        return publicKey
    }

    /// Tokens `ee`, `es`, `se`, `ss`: MixKey(DH(local, remote)). Throws `.invalidPublicKey`
    /// for a low-order remote key.
    mutating func mixDiffieHellman(_ local: X25519SecretKey, _ remote: X25519PublicKey) throws {
        var secret = try local.sharedSecret(with: remote)
        defer { for i in secret.indices { secret[i] = 0 } }
        symmetric.mixKey(secret)
    }

    /// Token `psk`.
    mutating func mixPresharedKey() {
        symmetric.mixKeyAndHash(presharedKey.rawBytes)
    }
}
