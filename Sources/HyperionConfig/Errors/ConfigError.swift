/// The one error type of `HyperionConfig`.
///
/// Like `NIOSSHError` and `HyperionCryptoError`: a small extensible `Kind` that code can
/// match on, plus a message for the person running the program. A message names the file,
/// the table and the key that is wrong, says what is wrong and what to do, and never
/// contains a secret.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The config file cannot be read, or is not UTF-8 text.
        public static let unreadable = Kind("unreadable")
        /// The file is not valid TOML; the message carries the line and column.
        public static let syntax = Kind("syntax")
        /// A key that the table does not define (often a typo).
        public static let unknownKey = Kind("unknownKey")
        /// A value of the wrong TOML type.
        public static let wrongType = Kind("wrongType")
        /// A required key or table is absent.
        public static let missingKey = Kind("missingKey")
        /// A value of the right type that is out of range or malformed.
        public static let invalidValue = Kind("invalidValue")
        /// Two entries that must be unique are not (names, ports, keys).
        public static let duplicate = Kind("duplicate")
        /// A forward names a server that no `[[server]]` defines.
        public static let unknownServer = Kind("unknownServer")
        /// Keys that cannot be used together, such as `key_env` with `key_value`, or a
        /// `[key]` sub-key that the chosen `source` does not use.
        public static let conflict = Kind("conflict")
        /// A secret file that group or others can use.
        public static let insecureFile = Kind("insecureFile")
        /// A secret that should come from the environment or a file is absent or empty.
        public static let secretUnavailable = Kind("secretUnavailable")
        /// A passphrase is needed but there is no terminal to ask on.
        public static let noTerminal = Kind("noTerminal")
        /// The person at the terminal interrupted the passphrase prompt.
        public static let cancelled = Kind("cancelled")
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// An error about the file at `file`; the message starts with the file's path.
    init(_ kind: Kind, file: String, _ message: String) {
        self.init(kind, "\(file): \(message)")
    }

    public var description: String { message }
}
