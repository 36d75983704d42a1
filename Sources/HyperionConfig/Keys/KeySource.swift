import HyperionCrypto

/// Where the shared key (PSK, PROTOCOL.md §2) comes from: the `[key]` table of either
/// config, or a `[[server]]`'s `key_env` / `key_value` override.
///
/// Parsing only records the source; `KeySourceResolver` turns it into a `PresharedKey`
/// at startup (reading the environment, a file, or asking for a passphrase).
public enum KeySource: Sendable, Hashable, CustomStringConvertible {
    /// Argon2id of a passphrase, read from the environment variable `passphraseEnvironment`
    /// if set, else asked for on the terminal. `salt` is at least 8 UTF-8 bytes.
    case passphrase(salt: String, passphraseEnvironment: String?)
    /// The base64 PSK in an environment variable.
    case environment(variable: String)
    /// The base64 PSK in a file that only its owner can use (path already resolved
    /// against the config file's directory).
    case file(path: String)
    /// The PSK written in the config file itself. Accepted, but the config's `warnings`
    /// say so: whoever can read the config can read the key.
    case value(PresharedKey)

    /// True for `.value`: the caller should warn that the PSK sits in the config file.
    public var isInlineValue: Bool {
        if case .value = self { return true }
        return false
    }

    /// Names the source without ever showing a key.
    public var description: String {
        switch self {
        case .passphrase(_, let variable?): "passphrase from environment variable \(variable)"
        case .passphrase(_, nil): "passphrase asked on the terminal"
        case .environment(let variable): "environment variable \(variable)"
        case .file(let path): "file \(path)"
        case .value: "inline value"
        }
    }

    // MARK: Hashable (PresharedKey is deliberately not; compare its bytes in constant time)

    public static func == (lhs: KeySource, rhs: KeySource) -> Bool {
        switch (lhs, rhs) {
        case let (.passphrase(a, x), .passphrase(b, y)): a == b && x == y
        case let (.environment(a), .environment(b)): a == b
        case let (.file(a), .file(b)): a == b
        case let (.value(a), .value(b)): ConstantTime.equals(a.rawBytes, b.rawBytes)
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case let .passphrase(salt, variable): hasher.combine(0); hasher.combine(salt); hasher.combine(variable)
        case let .environment(variable): hasher.combine(1); hasher.combine(variable)
        case let .file(path): hasher.combine(2); hasher.combine(path)
        case .value: hasher.combine(3)  // equal values collide, which is all Hashable needs
        }
    }
}
