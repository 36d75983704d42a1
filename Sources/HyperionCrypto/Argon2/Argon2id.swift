/// Argon2id, version 0x13 (RFC 9106).
///
/// This file is the driver: H0, the first blocks of each lane, the pass/slice/lane order
/// and the final tag (RFC 9106 §3.2). Block filling is in `Argon2Segment`, the compression
/// function in `Argon2Block`, the hash underneath in `BLAKE2b`.
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

    /// The version number v hashed into H0.
    static let version: UInt32 = 0x13

    /// The Argon2id tag of `password` and `salt`, with the optional secret `K` and
    /// associated data `X` of RFC 9106 §3.1.
    public static func hash(
        password: [UInt8], salt: [UInt8], secret: [UInt8] = [], associatedData: [UInt8] = [],
        parameters: Parameters
    ) throws -> [UInt8] {
        try parameters.validate()
        try validateInput(password, name: "password")
        try validateInput(salt, name: "salt")
        try validateInput(secret, name: "secret")
        try validateInput(associatedData, name: "associated data")

        // Step 1: H0 commits to every parameter and input.
        var hasher = BLAKE2b(outputLength: 64)
        hasher.update(le32: parameters.parallelism)
        hasher.update(le32: UInt32(parameters.outputLength))
        hasher.update(le32: parameters.memoryKiB)
        hasher.update(le32: parameters.iterations)
        hasher.update(le32: version)
        hasher.update(le32: UInt32(Argon2Segment.argon2idType))
        for input in [password, salt, secret, associatedData] {
            hasher.update(le32: UInt32(input.count))
            hasher.update(input)
        }
        var h0 = hasher.finalize()
        defer { BLAKE2b.wipe(&h0) }

        // Step 2: m' = 4p * floor(m / 4p) blocks, p lanes of four equal segments.
        let lanes = Int(parameters.parallelism)
        let blockCount = 4 * lanes * (Int(parameters.memoryKiB) / (4 * lanes))
        let laneLength = blockCount / lanes
        let memory = Argon2Memory(matrixBlockCount: blockCount)

        // Steps 3-4: the first two blocks of each lane, H'(H0 || LE32(j) || LE32(lane)).
        for lane in 0..<lanes {
            for column in 0..<2 {
                var bytes = BLAKE2b.variableLength(
                    outputLength: Argon2Block.byteCount, h0, le32(UInt32(column)), le32(UInt32(lane)))
                storeWords(bytes, into: memory.block(lane * laneLength + column))
                BLAKE2b.wipe(&bytes)
            }
        }

        // Steps 5-6: every pass, slice by slice; within a slice the lanes are independent.
        let segment = Argon2Segment(
            memory: memory, lanes: lanes, laneLength: laneLength,
            segmentLength: laneLength / 4, passes: Int(parameters.iterations))
        for pass in 0..<Int(parameters.iterations) {
            for slice in 0..<4 {
                for lane in 0..<lanes {
                    segment.fill(pass: pass, slice: slice, lane: lane)
                }
            }
        }

        // Steps 7-8: the tag is H' of the xor of every lane's last block.
        let final = memory.scratchBlocks
        final.update(from: memory.block(laneLength - 1), count: Argon2Block.wordCount)
        for lane in 1..<lanes {
            let last = memory.block(lane * laneLength + laneLength - 1)
            for i in 0..<Argon2Block.wordCount { final[i] ^= last[i] }
        }
        var finalBytes = loadBytes(final)
        defer { BLAKE2b.wipe(&finalBytes) }
        return BLAKE2b.variableLength(outputLength: parameters.outputLength, finalBytes)
    }

    /// The v1 shared key from a passphrase (PROTOCOL.md §2). The salt must be at least 8 bytes.
    public static func derivePresharedKey(passphrase: String, salt: String) throws -> PresharedKey {
        let saltBytes = Array(salt.utf8)
        guard saltBytes.count >= 8 else {
            throw HyperionCryptoError(.invalidArgon2Parameters, "the salt is \(saltBytes.count) bytes; it must be at least 8")
        }
        var passphraseBytes = Array(passphrase.utf8)
        defer { BLAKE2b.wipe(&passphraseBytes) }
        var raw = try hash(password: passphraseBytes, salt: saltBytes, parameters: .hyperionV1)
        defer { BLAKE2b.wipe(&raw) }
        return try PresharedKey(rawBytes: raw)
    }

    private static func le32(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// Bytes to little-endian words, independent of the host's byte order.
    private static func storeWords(_ bytes: [UInt8], into block: UnsafeMutablePointer<UInt64>) {
        for word in 0..<Argon2Block.wordCount {
            var value: UInt64 = 0
            for byte in 0..<8 { value |= UInt64(bytes[word * 8 + byte]) << (8 * byte) }
            block[word] = value
        }
    }

    private static func loadBytes(_ block: UnsafeMutablePointer<UInt64>) -> [UInt8] {
        (0..<Argon2Block.byteCount).map { UInt8(truncatingIfNeeded: block[$0 / 8] >> (8 * ($0 % 8))) }
    }
}
