import Testing
@testable import HyperionCrypto

@Suite struct BLAKE2sTests {
    /// RFC 7693 Appendix B.
    @Test func abcMatchesRFC7693AppendixB() {
        #expect(TestBytes.hexString(BLAKE2s.hash(Array("abc".utf8)))
            == "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982")
    }

    /// RFC 7693 Appendix E: hash, keyed and unkeyed, many input and output lengths, and
    /// compare the hash of all results with the RFC's `blake2s_res`.
    @Test func selfTestMatchesRFC7693AppendixE() {
        /// The RFC's `selftest_seq`: a Fibonacci-style byte sequence.
        func sequence(_ count: Int, seed: UInt32) -> [UInt8] {
            var a = 0xDEAD_4BAD &* seed
            var b: UInt32 = 1
            return (0..<count).map { _ in
                let t = a &+ b
                a = b
                b = t
                return UInt8(truncatingIfNeeded: t >> 24)
            }
        }
        var grand = BLAKE2s(outputByteCount: 32)
        for outputLength in [16, 20, 28, 32] {
            for inputLength in [0, 3, 64, 65, 255, 1024] {
                let input = sequence(inputLength, seed: UInt32(inputLength))
                grand.update(BLAKE2s.hash(input, outputByteCount: outputLength))
                let key = sequence(outputLength, seed: UInt32(outputLength))
                grand.update(BLAKE2s.hash(input, outputByteCount: outputLength, key: key))
            }
        }
        #expect(TestBytes.hexString(grand.finalize())
            == "6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe")
    }

    /// Entries of the official BLAKE2 KAT (blake2s-kat.txt): key 00..1f, input 00..n-1.
    @Test(arguments: [
        (0, "48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49"),
        (1, "40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1"),
        (2, "6bb71300644cd3991b26ccd4d274acd1adeab8b1d7914546c1198bbe9fc9d803"),
        (63, "c65382513f07460da39833cb666c5ed82e61b9e998f4b0c4287cee56c3cc9bcd"),
        (64, "8975b0577fd35566d750b362b0897a26c399136df07bababbde6203ff2954ed4"),
        (65, "21fe0ceb0052be7fb0f004187cacd7de67fa6eb0938d927677f2398c132317a8"),
        (127, "ddbfea75cc467882eb3483ce5e2e756a4f4701b76b445519e89f22d60fa86e06"),
        (128, "0c311f38c35a4fb90d651c289d486856cd1413df9b0677f53ece2cd9e477c60a"),
        (129, "46a73a8dd3e70f59d3942c01df599def783c9da82fd83222cd662b53dce7dbdf"),
        (255, "3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd"),
    ])
    func keyedKnownAnswers(length: Int, expected: String) {
        let key = (0..<32).map { UInt8($0) }
        let input = (0..<length).map { UInt8($0) }
        #expect(TestBytes.hexString(BLAKE2s.hash(input, key: key)) == expected)
    }

    /// Unkeyed values from Python's hashlib.blake2s, around the block boundary.
    @Test(arguments: [
        (0, "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9"),
        (1, "e34d74dbaf4ff4c6abd871cc220451d2ea2648846c7757fbaac82fe51ad64bea"),
        (64, "56f34e8b96557e90c1f24b52d0c89d51086acf1b00f634cf1dde9233b8eaaa3e"),
        (65, "1b53ee94aaf34e4b159d48de352c7f0661d0a40edff95a0b1639b4090e974472"),
    ])
    func unkeyedKnownAnswers(length: Int, expected: String) {
        #expect(TestBytes.hexString(BLAKE2s.hash((0..<length).map { UInt8($0) })) == expected)
    }

    /// Short digests and a short key change the parameter block, not just the truncation.
    @Test func shortOutputAndKey() {
        #expect(TestBytes.hexString(BLAKE2s.hash(Array("abc".utf8), outputByteCount: 1)) == "0d")
        #expect(TestBytes.hexString(BLAKE2s.hash(Array("abc".utf8), outputByteCount: 17, key: Array("k".utf8)))
            == "40abce7f489878105f62823769b788baab")
    }

    /// Feeding the same 1000 bytes in pieces of every size from 1 to 130 gives the one-shot
    /// digest (hashlib), so buffering across block boundaries is right.
    @Test func incrementalUpdatesMatchOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        let expected = "02a016193469710efadf8fb005ca19b509331cb847df5598cc0794bded669681"
        #expect(TestBytes.hexString(BLAKE2s.hash(data)) == expected)
        for chunk in 1...130 {
            var hasher = BLAKE2s()
            var offset = 0
            while offset < data.count {
                let end = min(offset + chunk, data.count)
                hasher.update(data[offset..<end])
                offset = end
            }
            #expect(TestBytes.hexString(hasher.finalize()) == expected, "chunk size \(chunk)")
        }
    }

    /// `finalize` leaves the hasher usable: a digest of a prefix, then of the whole.
    @Test func finalizeDoesNotConsumeTheHasher() {
        var hasher = BLAKE2s()
        hasher.update(Array("ab".utf8))
        #expect(hasher.finalize() == BLAKE2s.hash(Array("ab".utf8)))
        hasher.update(Array("c".utf8))
        #expect(hasher.finalize() == BLAKE2s.hash(Array("abc".utf8)))
    }

    /// Non-contiguous sequences take the fallback path.
    @Test func updateFromNonContiguousSequence() {
        var hasher = BLAKE2s()
        hasher.update((0..<100).lazy.map { UInt8($0) })
        #expect(hasher.finalize() == BLAKE2s.hash((0..<100).map { UInt8($0) }))
    }
}
