extension BLAKE2b {
    /// The variable-length hash H' of RFC 9106 §3.3: BLAKE2b stretched to any length by
    /// chaining 64-byte digests and keeping the first half of each, so Argon2 can make
    /// 1024-byte blocks and tags longer than 64 bytes from the same primitive.
    ///
    /// `parts` are hashed as if concatenated, which saves building H0 || LE32(j) || LE32(i).
    static func variableLength(outputLength: Int, _ parts: [UInt8]...) -> [UInt8] {
        precondition(outputLength >= 1 && UInt64(outputLength) <= UInt64(UInt32.max), "H' output length must be 1...2^32-1")
        var first = BLAKE2b(outputLength: min(outputLength, maxOutputLength))
        first.update(le32: UInt32(outputLength))
        for part in parts { first.update(part) }
        var v = first.finalize()
        if outputLength <= maxOutputLength { return v }

        // r = ceil(T/32) - 2 full 64-byte digests contribute 32 bytes each; the last
        // digest, of T - 32r bytes, is taken whole.
        let r = (outputLength + 31) / 32 - 2
        var out = [UInt8]()
        out.reserveCapacity(outputLength)
        out.append(contentsOf: v[0..<32])
        for _ in 1..<r {
            let next = BLAKE2b.hash(v, outputLength: maxOutputLength)
            wipe(&v)
            v = next
            out.append(contentsOf: v[0..<32])
        }
        let last = BLAKE2b.hash(v, outputLength: outputLength - 32 * r)
        wipe(&v)
        out.append(contentsOf: last)
        return out
    }
}
