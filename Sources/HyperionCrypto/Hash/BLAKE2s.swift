/// BLAKE2s (RFC 7693): the hash of `Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s` and of the knock
/// key derivation.
///
/// Incremental, so HMAC can feed the padded key and the message without concatenating
/// them. The state and the 64-byte block buffer are fixed-size tuples, so hashing never
/// allocates except for the digest it returns.
public struct BLAKE2s: Sendable {
    /// The size of one compressed block.
    public static let blockByteCount = 64
    /// The longest digest BLAKE2s produces, and the length Noise uses.
    public static let maximumOutputByteCount = 32
    /// The longest key BLAKE2s accepts.
    public static let maximumKeyByteCount = 32

    /// The digest length chosen at initialisation, 1...32.
    public let outputByteCount: Int

    /// The chained state h[0..7].
    var state: Words8
    /// Bytes compressed so far (t0 and t1 of the RFC as one 64-bit counter).
    var byteCounter: UInt64 = 0
    /// Input not compressed yet. The last block must be compressed with the final flag, so
    /// a full block stays here until more input proves it is not the last one.
    var buffer: Block = (0, 0, 0, 0, 0, 0, 0, 0)
    var bufferCount = 0

    /// A hasher producing `outputByteCount` bytes, keyed (a MAC) when `key` is not empty.
    ///
    /// Both lengths are chosen by the program, never read from the wire, so lengths outside
    /// 1...32 (digest) and 0...32 (key) are a programming error and stop the process.
    public init(outputByteCount: Int = 32, key: [UInt8] = []) {
        precondition((1...Self.maximumOutputByteCount).contains(outputByteCount), "BLAKE2s output length must be 1...32")
        precondition(key.count <= Self.maximumKeyByteCount, "BLAKE2s key length must be 0...32")
        self.outputByteCount = outputByteCount
        // Parameter block word 0: digest length, key length, fanout 1, depth 1.
        let parameters = 0x0101_0000 ^ UInt32(key.count) << 8 ^ UInt32(outputByteCount)
        state = Self.iv
        state.0 ^= parameters
        if !key.isEmpty {
            // RFC 7693 §3.3: the key, zero-padded to a full block, is the first block.
            withUnsafeMutableBytes(of: &buffer) { block in
                block.copyBytes(from: key)
            }
            bufferCount = Self.blockByteCount
        }
    }

    /// Absorbs `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        let count = bytes.count
        if bufferCount > 0 {
            let room = Self.blockByteCount - bufferCount
            if count <= room {
                appendToBuffer(bytes)
                return
            }
            appendToBuffer(UnsafeRawBufferPointer(rebasing: bytes[0..<room]))
            offset = room
            compressBuffer(isFinal: false)
        }
        // Whole blocks are compressed straight from the input, without copying them; the
        // last block, full or not, waits in the buffer for `finalize`.
        while count - offset > Self.blockByteCount {
            byteCounter &+= UInt64(Self.blockByteCount)
            Self.compress(&state, block: bytes.baseAddress! + offset, counter: byteCounter, isFinal: false)
            offset += Self.blockByteCount
        }
        if offset < count {
            appendToBuffer(UnsafeRawBufferPointer(rebasing: bytes[offset..<count]))
        }
    }

    /// Absorbs `bytes`; contiguous collections (arrays, slices) are read in place.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// The digest of everything absorbed so far. The hasher itself is left unchanged, so
    /// more input may follow.
    public func finalize() -> [UInt8] {
        var last = self
        last.byteCounter &+= UInt64(last.bufferCount)
        withUnsafeMutableBytes(of: &last.buffer) { block in
            block.baseAddress!.advanced(by: last.bufferCount)
                .initializeMemory(as: UInt8.self, repeating: 0, count: Self.blockByteCount - last.bufferCount)
            Self.compress(&last.state, block: UnsafeRawPointer(block.baseAddress!), counter: last.byteCounter, isFinal: true)
        }
        return [UInt8](unsafeUninitializedCapacity: outputByteCount) { digest, initialized in
            withUnsafeBytes(of: &last.state) { words in
                for i in 0..<outputByteCount {
                    // The state words are serialised little-endian.
                    let word = words.load(fromByteOffset: i & ~3, as: UInt32.self).littleEndian
                    digest[i] = UInt8(truncatingIfNeeded: word >> (8 * UInt32(i & 3)))
                }
            }
            initialized = outputByteCount
        }
    }

    /// The digest of `bytes` in one call.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes, outputByteCount: Int = 32, key: [UInt8] = []) -> [UInt8]
    where Bytes.Element == UInt8 {
        var hasher = BLAKE2s(outputByteCount: outputByteCount, key: key)
        hasher.update(bytes)
        return hasher.finalize()
    }

    private mutating func appendToBuffer(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        let start = bufferCount
        withUnsafeMutableBytes(of: &buffer) { block in
            UnsafeMutableRawBufferPointer(rebasing: block[start..<(start + bytes.count)]).copyMemory(from: bytes)
        }
        bufferCount += bytes.count
    }

    private mutating func compressBuffer(isFinal: Bool) {
        byteCounter &+= UInt64(bufferCount)
        let counter = byteCounter
        withUnsafeBytes(of: &buffer) { Self.compress(&state, block: $0.baseAddress!, counter: counter, isFinal: isFinal) }
        bufferCount = 0
    }
}
