/// The server's side of `Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s` (PROTOCOL.md §3), as a
/// state machine with no I/O: bytes in, bytes out.
///
/// `readMessage1` returns the client's static key before anything is written, so the
/// server can check its admin allowlist and close without answering a stranger. The calls
/// must come in order: `readMessage1`, `writeMessage2`, `split`. A call out of order
/// throws `.handshakeOutOfOrder`; after any failure every further call throws
/// `.handshakeFailed`.
public struct NoiseResponder: Sendable, CustomStringConvertible {
    private enum State: Sendable {
        case awaitingMessage1(NoiseHandshakeState)
        case readMessage1(NoiseHandshakeState)
        case complete(NoiseSymmetricState)
        case failed
    }

    private var state: State

    /// - Parameters:
    ///   - prologue: `HyperionNoise.prologue` on the wire; both sides must pass the same bytes.
    ///   - localStatic: the server's static key.
    ///   - presharedKey: the fleet's shared key, mixed in at position 2.
    ///   - ephemeral: a fixed ephemeral key for test vectors; `nil` draws a fresh one.
    public init(
        prologue: [UInt8], localStatic: X25519SecretKey, presharedKey: PresharedKey,
        ephemeral: X25519SecretKey? = nil
    ) {
        state = .awaitingMessage1(NoiseHandshakeState(
            prologue: prologue, localStatic: localStatic, localEphemeral: ephemeral ?? .generate(),
            presharedKey: presharedKey, responderStatic: localStatic.publicKey, remoteStatic: nil
        ))
    }

    /// Consumes message 1 (`e, es, s, ss`) and returns the client's authenticated static
    /// key and the payload. Nothing is sent: the caller decides whether to answer.
    public mutating func readMessage1(_ message: [UInt8]) throws -> (remoteStatic: X25519PublicKey, payload: [UInt8]) {
        guard case .awaitingMessage1(var handshake) = state else { throw refusal("readMessage1") }
        state = .failed
        let payload = try handshake.readMessage1(message)
        guard let initiatorStatic = handshake.remoteStatic else {
            throw HyperionCryptoError(.handshakeFailed, "message 1 carried no static key")
        }
        state = .readMessage1(handshake)
        return (initiatorStatic, payload)
    }

    /// Produces message 2 (`e, ee, se, psk`): 48 bytes plus the payload's length.
    public mutating func writeMessage2(payload: [UInt8] = []) throws -> [UInt8] {
        guard case .readMessage1(var handshake) = state else { throw refusal("writeMessage2") }
        state = .failed
        let message = try handshake.writeMessage2(payload: payload)
        state = .complete(handshake.symmetric)
        return message
    }

    /// The transport keys: the responder sends with the second, receives with the first.
    public consuming func split() throws -> NoiseTransport {
        guard case .complete(let symmetric) = state else { throw refusal("split") }
        let (initiatorToResponder, responderToInitiator) = symmetric.split()
        return NoiseTransport(sender: responderToInitiator, receiver: initiatorToResponder)
    }

    public var description: String { "NoiseResponder(\(stateName))" }

    private var stateName: String {
        switch state {
        case .awaitingMessage1: "awaiting message 1"
        case .readMessage1: "read message 1"
        case .complete: "complete"
        case .failed: "failed"
        }
    }

    private func refusal(_ call: String) -> HyperionCryptoError {
        if case .failed = state {
            return HyperionCryptoError(.handshakeFailed, "this handshake already failed; start a new one")
        }
        return HyperionCryptoError(.handshakeOutOfOrder, "NoiseResponder.\(call) called in state \(stateName)")
    }
}
