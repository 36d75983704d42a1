/// The client's side of `Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s` (PROTOCOL.md §3), as a
/// state machine with no I/O: bytes in, bytes out.
///
/// The calls must come in order: `writeMessage1`, `readMessage2`, `split`. A call out of
/// order throws `.handshakeOutOfOrder`; after any failure every further call throws
/// `.handshakeFailed`, so a half-failed handshake can never produce transport keys.
public struct NoiseInitiator: Sendable, CustomStringConvertible {
    private enum State: Sendable {
        case initial(NoiseHandshakeState)
        case awaitingMessage2(NoiseHandshakeState)
        case complete(NoiseSymmetricState)
        case failed
    }

    private var state: State

    /// - Parameters:
    ///   - prologue: `HyperionNoise.prologue` on the wire; both sides must pass the same bytes.
    ///   - localStatic: the admin's static key.
    ///   - remoteStatic: the server's static public key (the client's `server_pubkey`).
    ///   - presharedKey: the fleet's shared key, mixed in at position 2.
    ///   - ephemeral: a fixed ephemeral key for test vectors; `nil` draws a fresh one.
    public init(
        prologue: [UInt8], localStatic: X25519SecretKey, remoteStatic: X25519PublicKey,
        presharedKey: PresharedKey, ephemeral: X25519SecretKey? = nil
    ) {
        state = .initial(NoiseHandshakeState(
            prologue: prologue, localStatic: localStatic, localEphemeral: ephemeral ?? .generate(),
            presharedKey: presharedKey, responderStatic: remoteStatic, remoteStatic: remoteStatic
        ))
    }

    /// Produces message 1 (`e, es, s, ss`): 96 bytes plus the payload's length.
    public mutating func writeMessage1(payload: [UInt8] = []) throws -> [UInt8] {
        guard case .initial(var handshake) = state else { throw refusal("writeMessage1") }
        state = .failed
        let message = try handshake.writeMessage1(payload: payload)
        state = .awaitingMessage2(handshake)
        return message
    }

    /// Consumes message 2 (`e, ee, se, psk`) and returns its payload. A message that does
    /// not decrypt, most often because of a different PSK, throws `.handshakeFailed`.
    public mutating func readMessage2(_ message: [UInt8]) throws -> [UInt8] {
        guard case .awaitingMessage2(var handshake) = state else { throw refusal("readMessage2") }
        state = .failed
        let payload = try handshake.readMessage2(message)
        state = .complete(handshake.symmetric)
        return payload
    }

    /// The transport keys: the initiator sends with the first, receives with the second.
    public consuming func split() throws -> NoiseTransport {
        guard case .complete(let symmetric) = state else { throw refusal("split") }
        let (initiatorToResponder, responderToInitiator) = symmetric.split()
        return NoiseTransport(sender: initiatorToResponder, receiver: responderToInitiator)
    }

    public var description: String { "NoiseInitiator(\(stateName))" }

    private var stateName: String {
        switch state {
        case .initial: "initial"
        case .awaitingMessage2: "awaiting message 2"
        case .complete: "complete"
        case .failed: "failed"
        }
    }

    private func refusal(_ call: String) -> HyperionCryptoError {
        if case .failed = state {
            return HyperionCryptoError(.handshakeFailed, "this handshake already failed; start a new one")
        }
        return HyperionCryptoError(.handshakeOutOfOrder, "NoiseInitiator.\(call) called in state \(stateName)")
    }
}
