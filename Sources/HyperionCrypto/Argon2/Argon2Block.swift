/// The Argon2 compression function G on 1 KiB blocks (RFC 9106 §3.5 and §3.6).
///
/// Nearly all of Argon2's running time is spent here, so it works on raw pointers into the
/// one memory matrix: no arrays, no allocation, no bounds or overflow checks (`&+`, `&*`,
/// masking shifts). A block is 128 `UInt64` words, the RFC's little-endian words already
/// decoded (the driver converts bytes at the edges, so the host byte order does not matter).
enum Argon2Block {
    static let wordCount = 128
    static let byteCount = 1024

    /// `out = G(x, y)`, or `out ^= G(x, y)` when `xorIntoOut` (passes after the first, version
    /// 0x13). `y` may be the same block as `out` (address generation does that); `work` is a
    /// scratch block that must not overlap any of them.
    @inline(__always)
    static func compress(
        _ x: UnsafePointer<UInt64>, _ y: UnsafePointer<UInt64>,
        into out: UnsafeMutablePointer<UInt64>, xorIntoOut: Bool,
        work: UnsafeMutablePointer<UInt64>
    ) {
        // R = X xor Y goes to `work`, which P permutes in place; `out` already receives R
        // (or R xor its old value), so the final Z = P(R) xor R is one more xor into `out`.
        if xorIntoOut {
            for i in 0..<wordCount {
                let r = x[i] ^ y[i]
                work[i] = r
                out[i] ^= r
            }
        } else {
            for i in 0..<wordCount {
                let r = x[i] ^ y[i]
                work[i] = r
                out[i] = r
            }
        }
        // P on each row of eight 16-byte registers, then on each column (RFC 9106 §3.6).
        for row in 0..<8 {
            permute(work + 16 &* row, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        }
        for column in 0..<8 {
            permute(work + 2 &* column, 0, 1, 16, 17, 32, 33, 48, 49, 64, 65, 80, 81, 96, 97, 112, 113)
        }
        for i in 0..<wordCount {
            out[i] ^= work[i]
        }
    }

    /// The permutation P of RFC 9106 §3.6 on the sixteen words `p[o0]...p[o15]`: the
    /// BLAKE2b round with GB in place of G. Words are loaded into locals so the optimizer
    /// keeps them in registers for the eight GB calls.
    @inline(__always)
    private static func permute(
        _ p: UnsafeMutablePointer<UInt64>,
        _ o0: Int, _ o1: Int, _ o2: Int, _ o3: Int, _ o4: Int, _ o5: Int, _ o6: Int, _ o7: Int,
        _ o8: Int, _ o9: Int, _ o10: Int, _ o11: Int, _ o12: Int, _ o13: Int, _ o14: Int, _ o15: Int
    ) {
        var v0 = p[o0], v1 = p[o1], v2 = p[o2], v3 = p[o3]
        var v4 = p[o4], v5 = p[o5], v6 = p[o6], v7 = p[o7]
        var v8 = p[o8], v9 = p[o9], v10 = p[o10], v11 = p[o11]
        var v12 = p[o12], v13 = p[o13], v14 = p[o14], v15 = p[o15]
        mix(&v0, &v4, &v8, &v12)
        mix(&v1, &v5, &v9, &v13)
        mix(&v2, &v6, &v10, &v14)
        mix(&v3, &v7, &v11, &v15)
        mix(&v0, &v5, &v10, &v15)
        mix(&v1, &v6, &v11, &v12)
        mix(&v2, &v7, &v8, &v13)
        mix(&v3, &v4, &v9, &v14)
        p[o0] = v0; p[o1] = v1; p[o2] = v2; p[o3] = v3
        p[o4] = v4; p[o5] = v5; p[o6] = v6; p[o7] = v7
        p[o8] = v8; p[o9] = v9; p[o10] = v10; p[o11] = v11
        p[o12] = v12; p[o13] = v13; p[o14] = v14; p[o15] = v15
    }

    /// GB of RFC 9106 §3.6: BLAKE2b's G without message words, with BlaMka's multiply
    /// (`a + b + 2 * lo32(a) * lo32(b)`) so each step also costs a 32x32-bit multiply.
    @inline(__always)
    private static func mix(_ a: inout UInt64, _ b: inout UInt64, _ c: inout UInt64, _ d: inout UInt64) {
        a = blaMka(a, b); d = rotateRight(d ^ a, 32)
        c = blaMka(c, d); b = rotateRight(b ^ c, 24)
        a = blaMka(a, b); d = rotateRight(d ^ a, 16)
        c = blaMka(c, d); b = rotateRight(b ^ c, 63)
    }

    @inline(__always)
    private static func blaMka(_ x: UInt64, _ y: UInt64) -> UInt64 {
        let low = (x & 0xFFFF_FFFF) &* (y & 0xFFFF_FFFF)
        return x &+ y &+ (low &<< 1)
    }

    @inline(__always)
    private static func rotateRight(_ x: UInt64, _ n: UInt64) -> UInt64 {
        (x &>> n) | (x &<< (64 &- n))
    }
}
