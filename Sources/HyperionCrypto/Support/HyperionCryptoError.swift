/// The one error type of `HyperionCrypto`.
///
/// Modelled on `NIOSSHError`: a small extensible `Kind` plus a message meant for the
/// person running the program. Messages say what is wrong and what to do about it, and
/// never contain secret material.
public struct HyperionCryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Text that is not a standard base64 encoding of exactly 32 bytes.
        public static let invalidKeyText = Kind("invalidKeyText")
        /// Raw key material of the wrong length.
        public static let invalidKeyLength = Kind("invalidKeyLength")
        /// A secret file that group or others may read or write.
        public static let insecureKeyFile = Kind("insecureKeyFile")
        /// A key file that cannot be read, written or parsed.
        public static let keyFileUnusable = Kind("keyFileUnusable")
        /// Argon2id parameters outside what RFC 9106 allows.
        public static let invalidArgon2Parameters = Kind("invalidArgon2Parameters")
        /// A Noise message that failed to decrypt or had the wrong shape.
        public static let handshakeFailed = Kind("handshakeFailed")
        /// A Noise method called in the wrong handshake state.
        public static let handshakeOutOfOrder = Kind("handshakeOutOfOrder")
        /// No ChaCha20-Poly1305 context could be set up (out of memory); the connection ends.
        public static let cipherUnavailable = Kind("cipherUnavailable")
        /// An AEAD tag that did not verify.
        public static let authenticationFailed = Kind("authenticationFailed")
        /// A cipher state whose 64-bit nonce is used up; the connection must end.
        public static let nonceExhausted = Kind("nonceExhausted")
        /// An X25519 result that is all zeros (a low-order point from the peer).
        public static let invalidPublicKey = Kind("invalidPublicKey")
        /// A message longer or shorter than the protocol allows, or an output buffer too
        /// small for the result.
        public static let invalidMessageLength = Kind("invalidMessageLength")
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
