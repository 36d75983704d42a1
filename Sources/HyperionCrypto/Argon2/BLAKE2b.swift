/// BLAKE2b (RFC 7693): the hash Argon2 is built on (RFC 9106 §3.2).
///
/// Argon2 calls it only a handful of times per tag (H0, the first two blocks of each lane
/// and the final tag), so this is written for clarity rather than speed; the time of an
/// Argon2 run is spent in `Argon2Block`, not here.
struct BLAKE2b {
    /// Largest digest, key and block sizes, RFC 7693 §2.1.
    static let maxOutputLength = 64
    static let maxKeyLength = 64
    static let blockLength = 128

    /// The SHA-512 IV, RFC 7693 §2.6.
    private static let iv: [UInt64] = [
        0x6a09_e667_f3bc_c908, 0xbb67_ae85_84ca_a73b, 0x3c6e_f372_fe94_f82b, 0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1, 0x9b05_688c_2b3e_6c1f, 0x1f83_d9ab_fb41_bd6b, 0x5be0_cd19_137e_2179,
    ]

    /// The message schedule SIGMA, RFC 7693 §2.7; rounds 10 and 11 reuse rows 0 and 1.
    private static let sigma: [UInt8] = [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
    ]

    private var h: [UInt64]
    /// Bytes not yet compressed. The last block must be compressed with the final flag,
    /// so a full buffer is kept until more input proves it is not the last one.
    private var buffer: [UInt8]
    private var bufferedCount = 0
    /// Bytes compressed so far, the 128-bit counter t of RFC 7693 §3.2.
    private var countLow: UInt64 = 0
    private var countHigh: UInt64 = 0
    let outputLength: Int

    /// `outputLength` is 1...64 bytes and `key` at most 64 bytes; callers in this module
    /// pass only such values, so a violation is a programming error.
    init(outputLength: Int, key: [UInt8] = []) {
        precondition((1...Self.maxOutputLength).contains(outputLength), "BLAKE2b output length must be 1...64")
        precondition(key.count <= Self.maxKeyLength, "BLAKE2b key must be at most 64 bytes")
        self.outputLength = outputLength
        h = Self.iv
        // Parameter block word 0: digest length, key length, fanout 1, depth 1.
        h[0] ^= 0x0101_0000 ^ (UInt64(key.count) << 8) ^ UInt64(outputLength)
        buffer = [UInt8](repeating: 0, count: Self.blockLength)
        if !key.isEmpty {
            // A key is the first block, zero-padded (RFC 7693 §3.3).
            var keyBlock = key
            keyBlock.append(contentsOf: [UInt8](repeating: 0, count: Self.blockLength - key.count))
            update(keyBlock)
            Self.wipe(&keyBlock)
        }
    }

    mutating func update(_ input: some Collection<UInt8>) {
        for byte in input {
            if bufferedCount == Self.blockLength {
                compressBuffer(final: false)
            }
            buffer[bufferedCount] = byte
            bufferedCount += 1
        }
    }

    /// Appends `value` as 4 little-endian bytes, the LE32 of RFC 9106.
    mutating func update(le32 value: UInt32) {
        update([UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
                UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24)])
    }

    /// The digest. The hasher's internal state is wiped; do not use it afterwards.
    mutating func finalize() -> [UInt8] {
        for i in bufferedCount..<Self.blockLength { buffer[i] = 0 }
        compressBuffer(final: true)
        var out = [UInt8](repeating: 0, count: outputLength)
        for i in 0..<outputLength {
            out[i] = UInt8(truncatingIfNeeded: h[i / 8] >> (8 * UInt64(i % 8)))
        }
        Self.wipe(&buffer)
        for i in h.indices { h[i] = 0 }
        return out
    }

    /// One-shot BLAKE2b of `input`.
    static func hash(_ input: some Collection<UInt8>, outputLength: Int = 64, key: [UInt8] = []) -> [UInt8] {
        var hasher = BLAKE2b(outputLength: outputLength, key: key)
        hasher.update(input)
        return hasher.finalize()
    }

    static func wipe(_ bytes: inout [UInt8]) {
        wipeSecret(&bytes)
    }

    private mutating func compressBuffer(final: Bool) {
        let count = UInt64(bufferedCount)
        countLow &+= count
        if countLow < count { countHigh &+= 1 }
        bufferedCount = 0
        var m = [UInt64](repeating: 0, count: 16)
        for i in 0..<Self.blockLength {
            m[i / 8] |= UInt64(buffer[i]) << (8 * UInt64(i % 8))
        }
        Self.compress(&h, m, countLow, countHigh, final)
        for i in m.indices { m[i] = 0 }
    }

    /// The compression function F, RFC 7693 §3.2.
    private static func compress(_ h: inout [UInt64], _ m: [UInt64], _ t0: UInt64, _ t1: UInt64, _ final: Bool) {
        var v = h + iv
        v[12] ^= t0
        v[13] ^= t1
        if final { v[14] = ~v[14] }
        for round in 0..<12 {
            let s = (round % 10) * 16
            mix(&v, 0, 4, 8, 12, m[Int(sigma[s + 0])], m[Int(sigma[s + 1])])
            mix(&v, 1, 5, 9, 13, m[Int(sigma[s + 2])], m[Int(sigma[s + 3])])
            mix(&v, 2, 6, 10, 14, m[Int(sigma[s + 4])], m[Int(sigma[s + 5])])
            mix(&v, 3, 7, 11, 15, m[Int(sigma[s + 6])], m[Int(sigma[s + 7])])
            mix(&v, 0, 5, 10, 15, m[Int(sigma[s + 8])], m[Int(sigma[s + 9])])
            mix(&v, 1, 6, 11, 12, m[Int(sigma[s + 10])], m[Int(sigma[s + 11])])
            mix(&v, 2, 7, 8, 13, m[Int(sigma[s + 12])], m[Int(sigma[s + 13])])
            mix(&v, 3, 4, 9, 14, m[Int(sigma[s + 14])], m[Int(sigma[s + 15])])
        }
        for i in 0..<8 { h[i] ^= v[i] ^ v[i + 8] }
        for i in v.indices { v[i] = 0 }
    }

    /// The mixing function G, RFC 7693 §3.1, with rotations R1..R4 = 32, 24, 16, 63.
    @inline(__always)
    private static func mix(_ v: inout [UInt64], _ a: Int, _ b: Int, _ c: Int, _ d: Int, _ x: UInt64, _ y: UInt64) {
        v[a] = v[a] &+ v[b] &+ x
        v[d] = (v[d] ^ v[a]).rotatedRight(by: 32)
        v[c] = v[c] &+ v[d]
        v[b] = (v[b] ^ v[c]).rotatedRight(by: 24)
        v[a] = v[a] &+ v[b] &+ y
        v[d] = (v[d] ^ v[a]).rotatedRight(by: 16)
        v[c] = v[c] &+ v[d]
        v[b] = (v[b] ^ v[c]).rotatedRight(by: 63)
    }
}

extension UInt64 {
    /// Rotation right by a constant; the masking shifts compile to a single `ror`.
    @inline(__always)
    fileprivate func rotatedRight(by n: UInt64) -> UInt64 {
        (self &>> n) | (self &<< (64 &- n))
    }
}
