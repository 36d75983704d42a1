extension Argon2id.Parameters {
    /// Largest memory accepted: 4 GiB. RFC 9106 allows up to 2^32 - 1 KiB (4 TiB); no
    /// Hyperion setting needs more than a few MiB, and refusing here keeps a mistyped
    /// configuration from trying to allocate terabytes.
    static let maximumMemoryKiB: UInt32 = 4 * 1024 * 1024
    /// RFC 9106 §3.1: p is 1...2^24 - 1.
    static let maximumParallelism: UInt32 = (1 << 24) - 1
    /// RFC 9106 §3.1: T is 4...2^32 - 1 bytes.
    static let minimumOutputLength = 4
    static let maximumOutputLength = Int(exactly: UInt32.max) ?? Int.max

    /// Throws unless every parameter is within RFC 9106 §3.1 (and memory within the 4 GiB
    /// cap). Called before anything is allocated from these values.
    func validate() throws {
        guard parallelism >= 1, parallelism <= Self.maximumParallelism else {
            throw invalid("parallelism is \(parallelism); it must be between 1 and \(Self.maximumParallelism) (2^24 - 1)")
        }
        guard outputLength >= Self.minimumOutputLength, outputLength <= Self.maximumOutputLength else {
            throw invalid("outputLength is \(outputLength) bytes; it must be between \(Self.minimumOutputLength) and \(Self.maximumOutputLength) (2^32 - 1)")
        }
        let minimumMemory = UInt64(parallelism) * 8
        guard UInt64(memoryKiB) >= minimumMemory, memoryKiB <= Self.maximumMemoryKiB else {
            throw invalid("memoryKiB is \(memoryKiB); it must be between 8 * parallelism (\(minimumMemory)) and \(Self.maximumMemoryKiB) (4 GiB)")
        }
        guard iterations >= 1 else {
            throw invalid("iterations is \(iterations); it must be between 1 and \(UInt32.max) (2^32 - 1)")
        }
    }

    private func invalid(_ message: String) -> HyperionCryptoError {
        HyperionCryptoError(.invalidArgon2Parameters, "invalid Argon2id parameters: \(message)")
    }
}

extension Argon2id {
    /// RFC 9106 §3.1 limits every input to 2^32 - 1 bytes, since its length is hashed as LE32.
    static func validateInput(_ bytes: [UInt8], name: String) throws {
        guard UInt64(bytes.count) <= UInt64(UInt32.max) else {
            throw HyperionCryptoError(
                .invalidArgon2Parameters,
                "invalid Argon2id input: the \(name) is \(bytes.count) bytes; it must be at most \(UInt32.max) (2^32 - 1)")
        }
    }
}
