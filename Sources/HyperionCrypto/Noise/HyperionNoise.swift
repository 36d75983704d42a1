/// The constants of Hyperion's one Noise protocol (PROTOCOL.md §3).
public enum HyperionNoise {
    /// The only protocol Hyperion speaks; it is hashed into the first handshake hash, so a
    /// peer configured for anything else fails at the first message.
    public static let protocolName = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"

    /// "hyperion-vpn" followed by the protocol version 1 as a big-endian u16. Mixed into
    /// the handshake hash, so a peer speaking another version cannot complete a handshake.
    public static let prologue: [UInt8] = Array("hyperion-vpn".utf8) + [0x00, 0x01]

    /// Message 1 with an empty payload: e (32) || encrypted s (32 + 16) || encrypted payload (16).
    public static let message1ByteCount = 96
    /// Message 2 with an empty payload: e (32) || encrypted payload (16).
    public static let message2ByteCount = 48

    /// The largest Noise message (spec §3); a handshake message with a longer payload is refused.
    public static let maximumMessageByteCount = 65535
}
