/// The BLAKE2s compression function F (RFC 7693 §3.2) on fixed-size storage.
///
/// Everything lives in tuples and locals: no arrays, so no heap allocation and no bounds
/// checks per block, and the optimiser keeps the 16 working words in registers.
extension BLAKE2s {
    typealias Words8 = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
    typealias Words16 = (
        UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
        UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32
    )
    /// 64 bytes of input, aligned for word loads.
    typealias Block = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    /// The SHA-256 initial values, as RFC 7693 §2.6 specifies.
    static let iv: Words8 = (
        0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A,
        0x510E_527F, 0x9B05_688C, 0x1F83_D9AB, 0x5BE0_CD19
    )

    /// Compresses one 64-byte block at `block` into `h`. `counter` is the number of bytes
    /// hashed including this block; `isFinal` marks the last block.
    @inline(__always)
    static func compress(_ h: inout Words8, block: UnsafeRawPointer, counter: UInt64, isFinal: Bool) {
        var m: Words16 = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &m) { words in
            for i in 0..<16 {
                let word = block.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
                words.storeBytes(of: UInt32(littleEndian: word), toByteOffset: 4 * i, as: UInt32.self)
            }
        }

        var v0 = h.0, v1 = h.1, v2 = h.2, v3 = h.3, v4 = h.4, v5 = h.5, v6 = h.6, v7 = h.7
        var v8 = iv.0, v9 = iv.1, v10 = iv.2, v11 = iv.3
        var v12 = iv.4 ^ UInt32(truncatingIfNeeded: counter)
        var v13 = iv.5 ^ UInt32(truncatingIfNeeded: counter >> 32)
        var v14 = isFinal ? ~iv.6 : iv.6
        var v15 = iv.7

        withUnsafeBytes(of: &m) { raw in
            let m = raw.bindMemory(to: UInt32.self)
            // One round: G on the four columns, then on the four diagonals, with the message
            // words permuted by that round's row of SIGMA.
            @inline(__always)
            func round(_ s: Words16) {
                mix(&v0, &v4, &v8, &v12, m[Int(s.0)], m[Int(s.1)])
                mix(&v1, &v5, &v9, &v13, m[Int(s.2)], m[Int(s.3)])
                mix(&v2, &v6, &v10, &v14, m[Int(s.4)], m[Int(s.5)])
                mix(&v3, &v7, &v11, &v15, m[Int(s.6)], m[Int(s.7)])
                mix(&v0, &v5, &v10, &v15, m[Int(s.8)], m[Int(s.9)])
                mix(&v1, &v6, &v11, &v12, m[Int(s.10)], m[Int(s.11)])
                mix(&v2, &v7, &v8, &v13, m[Int(s.12)], m[Int(s.13)])
                mix(&v3, &v4, &v9, &v14, m[Int(s.14)], m[Int(s.15)])
            }
            round((0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
            round((14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3))
            round((11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4))
            round((7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8))
            round((9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13))
            round((2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9))
            round((12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11))
            round((13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10))
            round((6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5))
            round((10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0))
        }

        h.0 ^= v0 ^ v8
        h.1 ^= v1 ^ v9
        h.2 ^= v2 ^ v10
        h.3 ^= v3 ^ v11
        h.4 ^= v4 ^ v12
        h.5 ^= v5 ^ v13
        h.6 ^= v6 ^ v14
        h.7 ^= v7 ^ v15
    }

    /// The mixing function G (RFC 7693 §3.1), rotation constants 16, 12, 8, 7.
    @inline(__always)
    private static func mix(
        _ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32, _ d: inout UInt32, _ x: UInt32, _ y: UInt32
    ) {
        a = a &+ b &+ x
        d = rotateRight(d ^ a, 16)
        c = c &+ d
        b = rotateRight(b ^ c, 12)
        a = a &+ b &+ y
        d = rotateRight(d ^ a, 8)
        c = c &+ d
        b = rotateRight(b ^ c, 7)
    }

    @inline(__always)
    private static func rotateRight(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value &>> count) | (value &<< (32 - count))
    }
}
