import HyperionCrypto

/// The key that seals knocks (PROTOCOL.md §7):
/// `K = HMAC-BLAKE2s(HMAC-BLAKE2s(key = "hyperion-vpn knock key v1", data = PSK), 0x01)`,
/// the first output of the Noise HKDF with the label as chaining key. Deriving it from the
/// PSK under its own label keeps knock keys and handshake keys apart.
public struct KnockKey: Sendable, CustomStringConvertible {
    public static let label: [UInt8] = Array("hyperion-vpn knock key v1".utf8)

    public let rawBytes: [UInt8]

    public init(presharedKey: PresharedKey) {
        let temporaryKey = NoiseHash.hmac(key: Self.label, data: presharedKey.rawBytes)
        self.rawBytes = NoiseHash.hmac(key: temporaryKey, data: [0x01])
    }

    public var description: String { "KnockKey(<redacted>)" }
}
