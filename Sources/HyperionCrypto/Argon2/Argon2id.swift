/// Argon2id, version 0x13 (RFC 9106).
///
/// INTERFACE PLACEHOLDER: the implementation lands on the `argon2` branch. The signatures
/// below are fixed; the rest of the package codes against them.
public enum Argon2id {
    public struct Parameters: Sendable, Hashable {
        public var memoryKiB: UInt32
        public var iterations: UInt32
        public var parallelism: UInt32
        public var outputLength: Int

        public init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32, outputLength: Int) {
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.parallelism = parallelism
            self.outputLength = outputLength
        }

        /// PROTOCOL.md §2: m = 19456 KiB, t = 2, p = 1, 32-byte output.
        public static let hyperionV1 = Parameters(memoryKiB: 19456, iterations: 2, parallelism: 1, outputLength: 32)
    }

    /// The Argon2id tag of `password` and `salt`, with the optional secret `K` and
    /// associated data `X` of RFC 9106 §3.1.
    public static func hash(
        password: [UInt8], salt: [UInt8], secret: [UInt8] = [], associatedData: [UInt8] = [],
        parameters: Parameters
    ) throws -> [UInt8] {
        throw HyperionCryptoError(.invalidArgon2Parameters, "Argon2id is not built yet")
    }

    /// The v1 shared key from a passphrase (PROTOCOL.md §2). The salt must be at least 8 bytes.
    public static func derivePresharedKey(passphrase: String, salt: String) throws -> PresharedKey {
        let saltBytes = Array(salt.utf8)
        guard saltBytes.count >= 8 else {
            throw HyperionCryptoError(.invalidArgon2Parameters, "the salt is \(saltBytes.count) bytes; it must be at least 8")
        }
        return try PresharedKey(rawBytes: hash(password: Array(passphrase.utf8), salt: saltBytes, parameters: .hyperionV1))
    }
}
