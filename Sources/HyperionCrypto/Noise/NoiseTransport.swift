/// The two cipher states a finished handshake splits into: one per direction, each with
/// its own key and nonce, so the two directions never share a (key, nonce) pair.
public struct NoiseTransport: Sendable, CustomStringConvertible {
    /// Encrypts frames this side sends.
    public var sender: NoiseCipherState
    /// Decrypts frames this side receives.
    public var receiver: NoiseCipherState

    init(sender: NoiseCipherState, receiver: NoiseCipherState) {
        self.sender = sender
        self.receiver = receiver
    }

    public var description: String { "NoiseTransport(sender: \(sender), receiver: \(receiver))" }
}
