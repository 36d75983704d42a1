/// The two messages of IKpsk2 (Noise spec §7.5 and §9), each from both sides:
///
///     <- s
///     ...
///     -> e, es, s, ss
///     <- e, ee, se, psk
///
/// Reading functions report every malformed, altered or undecryptable message as
/// `.handshakeFailed`, whichever step noticed it: the caller's only answer is to drop the
/// connection, and a peer must not learn which step failed.
extension NoiseHandshakeState {
    /// Message 1 from the initiator's side.
    mutating func writeMessage1(payload: [UInt8]) throws -> [UInt8] {
        try Self.checkPayload(payload, overhead: HyperionNoise.message1ByteCount, message: 1)
        guard let responderStatic = remoteStatic else {
            throw HyperionCryptoError(.handshakeOutOfOrder, "message 1 needs the server's public key")
        }
        var message: [UInt8] = []
        message.reserveCapacity(HyperionNoise.message1ByteCount + payload.count)
        writeEphemeral(into: &message)                                   // e
        try mixDiffieHellman(localEphemeral, responderStatic)            // es
        message += try symmetric.encryptAndHash(localStatic.publicKey.rawBytes) // s
        try mixDiffieHellman(localStatic, responderStatic)               // ss
        message += try symmetric.encryptAndHash(payload)
        return message
    }

    /// Message 1 from the responder's side. Returns the payload; `remoteStatic` is then the
    /// initiator's static key, which decrypted and authenticated.
    mutating func readMessage1(_ message: [UInt8]) throws -> [UInt8] {
        try Self.checkLength(message, minimum: HyperionNoise.message1ByteCount, message: 1)
        let staticEnd = Self.keyByteCount + Self.keyByteCount + NoiseCipherState.tagByteCount
        return try Self.failing("message 1 did not decrypt: the client does not use this server's public key, or the message was altered") {
            let initiatorEphemeral = try readEphemeral(message[0..<Self.keyByteCount]) // e
            try mixDiffieHellman(localStatic, initiatorEphemeral)         // es
            let initiatorStatic = try X25519PublicKey(                    // s
                rawBytes: symmetric.decryptAndHash(Array(message[Self.keyByteCount..<staticEnd]))
            )
            remoteStatic = initiatorStatic
            try mixDiffieHellman(localStatic, initiatorStatic)            // ss
            return try symmetric.decryptAndHash(Array(message[staticEnd...]))
        }
    }

    /// Message 2 from the responder's side.
    mutating func writeMessage2(payload: [UInt8]) throws -> [UInt8] {
        try Self.checkPayload(payload, overhead: HyperionNoise.message2ByteCount, message: 2)
        guard let initiatorEphemeral = remoteEphemeral, let initiatorStatic = remoteStatic else {
            throw HyperionCryptoError(.handshakeOutOfOrder, "message 2 needs message 1 first")
        }
        var message: [UInt8] = []
        message.reserveCapacity(HyperionNoise.message2ByteCount + payload.count)
        writeEphemeral(into: &message)                                   // e
        try mixDiffieHellman(localEphemeral, initiatorEphemeral)         // ee
        try mixDiffieHellman(localEphemeral, initiatorStatic)            // se
        mixPresharedKey()                                                // psk
        message += try symmetric.encryptAndHash(payload)
        return message
    }

    /// Message 2 from the initiator's side. Returns the payload.
    mutating func readMessage2(_ message: [UInt8]) throws -> [UInt8] {
        try Self.checkLength(message, minimum: HyperionNoise.message2ByteCount, message: 2)
        return try Self.failing("message 2 did not decrypt: the server uses a different shared key (PSK) or static key, or the message was altered") {
            let responderEphemeral = try readEphemeral(message[0..<Self.keyByteCount]) // e
            try mixDiffieHellman(localEphemeral, responderEphemeral)      // ee
            try mixDiffieHellman(localStatic, responderEphemeral)         // se
            mixPresharedKey()                                             // psk
            return try symmetric.decryptAndHash(Array(message[Self.keyByteCount...]))
        }
    }

    // MARK: - Checks

    private static func checkPayload(_ payload: [UInt8], overhead: Int, message: Int) throws {
        let maximum = HyperionNoise.maximumMessageByteCount - overhead
        guard payload.count <= maximum else {
            throw HyperionCryptoError(
                .invalidMessageLength,
                "a payload of handshake message \(message) is at most \(maximum) bytes, got \(payload.count)"
            )
        }
    }

    private static func checkLength(_ bytes: [UInt8], minimum: Int, message: Int) throws {
        guard (minimum...HyperionNoise.maximumMessageByteCount).contains(bytes.count) else {
            throw HyperionCryptoError(
                .handshakeFailed,
                "handshake message \(message) is \(bytes.count) bytes; it must be \(minimum) to \(HyperionNoise.maximumMessageByteCount)"
            )
        }
    }

    /// Runs `body`, reporting any failure as `.handshakeFailed` with `explanation`.
    private static func failing<T>(_ explanation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw HyperionCryptoError(.handshakeFailed, explanation)
        }
    }
}
