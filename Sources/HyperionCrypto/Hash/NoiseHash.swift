/// HASH, HMAC-HASH and HKDF of the Noise spec (revision 34, §4.3 and §5.2) with BLAKE2s.
///
/// Noise builds HMAC itself from HASH (RFC 2104 with BLAKE2s's 64-byte block) rather than
/// using BLAKE2s's keyed mode, so this is what every peer computes; the knock key of
/// PROTOCOL.md §7 is derived with the same functions.
public enum NoiseHash {
    /// HASHLEN: the length of every hash, chaining key and cipher key in Noise.
    public static let hashByteCount = 32
    /// BLOCKLEN: the HMAC block size.
    public static let blockByteCount = BLAKE2s.blockByteCount

    /// HASH(data).
    public static func hash(_ data: [UInt8]) -> [UInt8] {
        BLAKE2s.hash(data)
    }

    /// HASH(a || b) without building the concatenation.
    static func hash(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var hasher = BLAKE2s()
        hasher.update(a)
        hasher.update(b)
        return hasher.finalize()
    }

    /// HMAC-HASH(key, data) per RFC 2104. Keys longer than a block are hashed first; Noise
    /// only ever passes 32-byte keys.
    public static func hmac(key: [UInt8], data: [UInt8]) -> [UInt8] {
        let shortKey = key.count > blockByteCount ? hash(key) : key
        var pad = [UInt8](repeating: 0, count: blockByteCount)
        defer { wipeSecret(&pad) }

        for i in shortKey.indices { pad[i] = shortKey[i] ^ 0x36 }
        for i in shortKey.count..<blockByteCount { pad[i] = 0x36 }
        var inner = BLAKE2s()
        inner.update(pad)
        inner.update(data)

        // (key ^ ipad) ^ (ipad ^ opad) = key ^ opad, reusing the same 64 bytes.
        for i in pad.indices { pad[i] ^= 0x36 ^ 0x5C }
        var outer = BLAKE2s()
        outer.update(pad)
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// HKDF(chaining_key, input_key_material, num_outputs) with 2 or 3 outputs:
    /// temp_key = HMAC(ck, ikm); output1 = HMAC(temp_key, 0x01);
    /// output_i = HMAC(temp_key, output_(i-1) || i).
    public static func hkdf(chainingKey: [UInt8], inputKeyMaterial: [UInt8], outputs: Int) -> [[UInt8]] {
        precondition(outputs == 2 || outputs == 3, "Noise HKDF produces 2 or 3 outputs")
        var temporaryKey = hmac(key: chainingKey, data: inputKeyMaterial)
        defer { wipeSecret(&temporaryKey) }
        var results: [[UInt8]] = []
        results.reserveCapacity(outputs)
        var previous: [UInt8] = []
        for counter in 1...UInt8(outputs) {
            previous = hmac(key: temporaryKey, data: previous + [counter])
            results.append(previous)
        }
        return results
    }
}
