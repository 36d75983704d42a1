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
        var v: Words16 = (
            h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7,
            iv.0, iv.1, iv.2, iv.3,
            iv.4 ^ UInt32(truncatingIfNeeded: counter),
            iv.5 ^ UInt32(truncatingIfNeeded: counter >> 32),
            isFinal ? ~iv.6 : iv.6,
            iv.7
        )
        round(&v, m, (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
        round(&v, m, (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3))
        round(&v, m, (11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4))
        round(&v, m, (7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8))
        round(&v, m, (9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13))
        round(&v, m, (2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9))
        round(&v, m, (12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11))
        round(&v, m, (13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10))
        round(&v, m, (6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5))
        round(&v, m, (10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0))
        h.0 ^= v.0 ^ v.8
        h.1 ^= v.1 ^ v.9
        h.2 ^= v.2 ^ v.10
        h.3 ^= v.3 ^ v.11
        h.4 ^= v.4 ^ v.12
        h.5 ^= v.5 ^ v.13
        h.6 ^= v.6 ^ v.14
        h.7 ^= v.7 ^ v.15
    }

    /// One round: G on the four columns, then on the four diagonals, with the message words
    /// permuted by that round's row `s` of SIGMA. All constants after inlining.
    @inline(__always)
    private static func round(_ v: inout Words16, _ m: Words16, _ s: Words16) {
        mix(&v.0, &v.4, &v.8, &v.12, word(m, s.0), word(m, s.1))
        mix(&v.1, &v.5, &v.9, &v.13, word(m, s.2), word(m, s.3))
        mix(&v.2, &v.6, &v.10, &v.14, word(m, s.4), word(m, s.5))
        mix(&v.3, &v.7, &v.11, &v.15, word(m, s.6), word(m, s.7))
        mix(&v.0, &v.5, &v.10, &v.15, word(m, s.8), word(m, s.9))
        mix(&v.1, &v.6, &v.11, &v.12, word(m, s.10), word(m, s.11))
        mix(&v.2, &v.7, &v.8, &v.13, word(m, s.12), word(m, s.13))
        mix(&v.3, &v.4, &v.9, &v.14, word(m, s.14), word(m, s.15))
    }

    /// Message word `index` of `m`; `index` is a SIGMA entry, always 0...15.
    @inline(__always)
    private static func word(_ m: Words16, _ index: UInt32) -> UInt32 {
        withUnsafeBytes(of: m) { $0.load(fromByteOffset: Int(index) &* 4, as: UInt32.self) }
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
