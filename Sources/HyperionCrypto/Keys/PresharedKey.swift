/// The 32-byte shared key (PSK) of PROTOCOL.md §2: mixed into every Noise handshake at
/// position 2 and the root of the knock key. Its `description` never shows the key.
public struct PresharedKey: Sendable, CustomStringConvertible {
    /// The 32 raw bytes.
    public let rawBytes: [UInt8]

    public init(rawBytes: some Collection<UInt8>) throws {
        guard rawBytes.count == 32 else {
            throw HyperionCryptoError(.invalidKeyLength, "a shared key (PSK) is 32 bytes, got \(rawBytes.count)")
        }
        self.rawBytes = Array(rawBytes)
    }

    /// Parses the 44-character base64 text form (key sources `env`, `file` and `value`).
    /// `what` names the source in the error, for example `"environment variable HYPERION_PSK"`.
    public init(base64 text: String, what: String = "shared key") throws {
        self.rawBytes = try KeyText.decode(text, what: what)
    }

    public var description: String { "PresharedKey(<redacted>)" }
}
