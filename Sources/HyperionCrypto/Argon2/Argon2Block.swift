/// The Argon2 compression function G on 1 KiB blocks (RFC 9106 §3.5 and §3.6).
///
/// Nearly all of Argon2's running time is spent here, so it works on raw pointers into the
/// one memory matrix, two words at a time in `SIMD2<UInt64>`: no arrays, no allocation, no
/// bounds or overflow checks (`&+`, `&*`, masking shifts). A block is 128 `UInt64` words, the RFC's little-endian words already
/// decoded (the driver converts bytes at the edges, so the host byte order does not matter).
enum Argon2Block {
    static let wordCount = 128
    static let byteCount = 1024

    /// `out = G(x, y)`, or `out ^= G(x, y)` when `xorIntoOut` (passes after the first, version
    /// 0x13). `y` may be the same block as `out` (address generation does that); `scratch`
    /// is two blocks that must not overlap any of them.
    @inline(__always)
    static func compress(
        _ x: UnsafePointer<UInt64>, _ y: UnsafePointer<UInt64>,
        into out: UnsafeMutablePointer<UInt64>, xorIntoOut: Bool,
        scratch: UnsafeMutablePointer<UInt64>
    ) {
        // R = X xor Y goes to `work`, which P permutes in place. `mask` keeps R (xor the old
        // `out` when xoring), so the result Z = P(R) xor R (xor old out) can be written
        // straight from the column permutation, without another pass over the block.
        let work = scratch
        let mask = scratch + wordCount
        if xorIntoOut {
            for i in 0..<wordCount {
                let r = x[i] ^ y[i]
                work[i] = r
                mask[i] = r ^ out[i]
            }
        } else {
            for i in 0..<wordCount {
                let r = x[i] ^ y[i]
                work[i] = r
                mask[i] = r
            }
        }
        // P on each row of eight 16-byte registers, then on each column (RFC 9106 §3.6).
        let w = UnsafeMutableRawPointer(work)
        for row in 0..<8 {
            permute(from: w + 128 &* row, to: w + 128 &* row, xoring: nil, stride: 16)
        }
        let o = UnsafeMutableRawPointer(out)
        let m = UnsafeRawPointer(mask)
        for column in 0..<8 {
            permute(from: w + 16 &* column, to: o + 16 &* column, xoring: m + 16 &* column, stride: 128)
        }
    }

    typealias Pair = SIMD2<UInt64>

    /// The permutation P of RFC 9106 §3.6 on eight 16-byte registers S0...S7 at `p`,
    /// `stride` bytes apart (16 for a row, 128 for a column). P is a BLAKE2b round with
    /// GB in place of G: GB on the four columns, then on the four diagonals, of the 4x4
    /// matrix v0...v15 (S_k = v_2k || v_2k+1). Two-word SIMD values do two GBs per
    /// instruction (SSE2 on x86-64, NEON on arm64); the diagonal step only re-pairs words.
    @inline(__always)
    private static func permute(
        from p: UnsafeRawPointer, to q: UnsafeMutableRawPointer, xoring mask: UnsafeRawPointer?, stride: Int
    ) {
        var a0 = p.load(fromByteOffset: 0 &* stride, as: Pair.self)  // v0  v1
        var a1 = p.load(fromByteOffset: 1 &* stride, as: Pair.self)  // v2  v3
        var b0 = p.load(fromByteOffset: 2 &* stride, as: Pair.self)  // v4  v5
        var b1 = p.load(fromByteOffset: 3 &* stride, as: Pair.self)  // v6  v7
        var c0 = p.load(fromByteOffset: 4 &* stride, as: Pair.self)  // v8  v9
        var c1 = p.load(fromByteOffset: 5 &* stride, as: Pair.self)  // v10 v11
        var d0 = p.load(fromByteOffset: 6 &* stride, as: Pair.self)  // v12 v13
        var d1 = p.load(fromByteOffset: 7 &* stride, as: Pair.self)  // v14 v15

        // Columns (v0 v4 v8 v12) (v1 v5 v9 v13) and (v2 v6 v10 v14) (v3 v7 v11 v15).
        mix(&a0, &b0, &c0, &d0)
        mix(&a1, &b1, &c1, &d1)

        // Diagonals: re-pair A and C, swap B, and leave D (just rotated) in place.
        // (v1 v6 v11 v12) (v2 v7 v8 v13) and (v3 v4 v9 v14) (v0 v5 v10 v15).
        var e0 = Pair(a0[1], a1[0]), e1 = Pair(a1[1], a0[0])  // v1 v2, v3 v0
        var f0 = Pair(c1[1], c0[0]), f1 = Pair(c0[1], c1[0])  // v11 v8, v9 v10
        mix(&e0, &b1, &f0, &d0)
        mix(&e1, &b0, &f1, &d1)
        a0 = Pair(e1[1], e0[0]); a1 = Pair(e0[1], e1[0])
        c0 = Pair(f0[1], f1[0]); c1 = Pair(f1[1], f0[0])

        if let mask {
            a0 ^= mask.load(fromByteOffset: 0 &* stride, as: Pair.self)
            a1 ^= mask.load(fromByteOffset: 1 &* stride, as: Pair.self)
            b0 ^= mask.load(fromByteOffset: 2 &* stride, as: Pair.self)
            b1 ^= mask.load(fromByteOffset: 3 &* stride, as: Pair.self)
            c0 ^= mask.load(fromByteOffset: 4 &* stride, as: Pair.self)
            c1 ^= mask.load(fromByteOffset: 5 &* stride, as: Pair.self)
            d0 ^= mask.load(fromByteOffset: 6 &* stride, as: Pair.self)
            d1 ^= mask.load(fromByteOffset: 7 &* stride, as: Pair.self)
        }
        q.storeBytes(of: a0, toByteOffset: 0 &* stride, as: Pair.self)
        q.storeBytes(of: a1, toByteOffset: 1 &* stride, as: Pair.self)
        q.storeBytes(of: b0, toByteOffset: 2 &* stride, as: Pair.self)
        q.storeBytes(of: b1, toByteOffset: 3 &* stride, as: Pair.self)
        q.storeBytes(of: c0, toByteOffset: 4 &* stride, as: Pair.self)
        q.storeBytes(of: c1, toByteOffset: 5 &* stride, as: Pair.self)
        q.storeBytes(of: d0, toByteOffset: 6 &* stride, as: Pair.self)
        q.storeBytes(of: d1, toByteOffset: 7 &* stride, as: Pair.self)
    }

    /// GB of RFC 9106 §3.6 on two independent lanes: BLAKE2b's G without message words,
    /// with BlaMka's multiply (`a + b + 2 * lo32(a) * lo32(b)`) so each step also costs a
    /// 32x32-bit multiply.
    @inline(__always)
    private static func mix(_ a: inout Pair, _ b: inout Pair, _ c: inout Pair, _ d: inout Pair) {
        a = blaMka(a, b); d = rotateRight32(d ^ a)
        c = blaMka(c, d); b = rotateRight24(b ^ c)
        a = blaMka(a, b); d = rotateRight16(d ^ a)
        c = blaMka(c, d); b = rotateRight63(b ^ c)
    }

    @inline(__always)
    private static func blaMka(_ x: Pair, _ y: Pair) -> Pair {
        // Masking both factors to 32 bits lets the compiler use one 32x32->64 multiply
        // per lane (pmuludq / umull).
        let low32 = Pair(repeating: 0xFFFF_FFFF)
        let product = (x & low32) &* (y & low32)
        return x &+ y &+ product &+ product
    }

    // Rotations by whole bytes are written as lane shuffles. Written as shifts, the
    // optimizer turns them into scalar rotates (SSE2 has no vector rotate) and moves each
    // value between vector and general registers; as shuffles they stay in vector
    // registers (pshufd for 32, shift pairs for 24 and 16). The 16 is a byte shuffle, not
    // a 16-bit one: in context the latter was lowered to a longer blend sequence.
    // Shuffling bytes assumes little-endian lanes; other hosts use plain shifts.

    @inline(__always)
    private static func rotateRight32(_ x: Pair) -> Pair {
        #if _endian(little)
        let v = unsafeBitCast(x, to: SIMD4<UInt32>.self)
        return unsafeBitCast(SIMD4(v[1], v[0], v[3], v[2]), to: Pair.self)
        #else
        return (x &>> 32) | (x &<< 32)
        #endif
    }

    @inline(__always)
    private static func rotateRight24(_ x: Pair) -> Pair {
        #if _endian(little)
        let v = unsafeBitCast(x, to: SIMD16<UInt8>.self)
        return unsafeBitCast(SIMD16(
            v[3], v[4], v[5], v[6], v[7], v[0], v[1], v[2],
            v[11], v[12], v[13], v[14], v[15], v[8], v[9], v[10]), to: Pair.self)
        #else
        return (x &>> 24) | (x &<< 40)
        #endif
    }

    @inline(__always)
    private static func rotateRight16(_ x: Pair) -> Pair {
        #if _endian(little)
        let v = unsafeBitCast(x, to: SIMD16<UInt8>.self)
        return unsafeBitCast(SIMD16(
            v[2], v[3], v[4], v[5], v[6], v[7], v[0], v[1],
            v[10], v[11], v[12], v[13], v[14], v[15], v[8], v[9]), to: Pair.self)
        #else
        return (x &>> 16) | (x &<< 48)
        #endif
    }

    @inline(__always)
    private static func rotateRight63(_ x: Pair) -> Pair {
        (x &>> 63) | (x &+ x)
    }
}
