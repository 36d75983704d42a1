import Testing
@testable import HyperionCrypto

/// BLAKE2b against RFC 7693 Appendix A and the official keyed KAT (key = 00..3f,
/// input = 00..n-1); other expected values come from Python's hashlib.blake2b.
@Suite struct BLAKE2bTests {
    private static func hex(_ text: String) -> [UInt8] {
        var bytes = [UInt8]()
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    @Test func rfc7693AppendixA() {
        #expect(BLAKE2b.hash(Array("abc".utf8)) == Self.hex(
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"))
    }

    @Test func emptyInput() {
        #expect(BLAKE2b.hash([UInt8]()) == Self.hex(
            "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
            + "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce"))
    }

    /// Lengths around the 128-byte block boundary, where the last-block rule bites.
    @Test(arguments: [
        (0, "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568"),
        (1, "961f6dd1e4dd30f63901690c512e78e4b45e4742ed197c3c5e45c549fd25f2e4187b0bc9fe30492b16b0d0bc4ef9b0f34c7003fac09a5ef1532e69430234cebd"),
        (2, "da2cfbe2d8409a0f38026113884f84b50156371ae304c4430173d08a99d9fb1b983164a3770706d537f49e0c916d9f32b95cc37a95b99d857436f0232c88a965"),
        (63, "bd965bf31e87d70327536f2a341cebc4768eca275fa05ef98f7f1b71a0351298de006fba73fe6733ed01d75801b4a928e54231b38e38c562b2e33ea1284992fa"),
        (64, "65676d800617972fbd87e4b9514e1c67402b7a331096d3bfac22f1abb95374abc942f16e9ab0ead33b87c91968a6e509e119ff07787b3ef483e1dcdccf6e3022"),
        (127, "76d2d819c92bce55fa8e092ab1bf9b9eab237a25267986cacf2b8ee14d214d730dc9a5aa2d7b596e86a1fd8fa0804c77402d2fcd45083688b218b1cdfa0dcbcb"),
        (128, "72065ee4dd91c2d8509fa1fc28a37c7fc9fa7d5b3f8ad3d0d7a25626b57b1b44788d4caf806290425f9890a3a2a35a905ab4b37acfd0da6e4517b2525c9651e4"),
        (129, "64475dfe7600d7171bea0b394e27c9b00d8e74dd1e416a79473682ad3dfdbb706631558055cfc8a40e07bd015a4540dcdea15883cbbf31412df1de1cd4152b91"),
        (255, "142709d62e28fcccd0af97fad0f8465b971e82201dc51070faa0372aa43e92484be1c1e73ba10906d5d1853db6a4106e0a7bf9800d373d6dee2d46d62ef2a461"),
    ])
    func keyedKAT(length: Int, expected: String) {
        let key = (0..<64).map { UInt8($0) }
        let input = (0..<length).map { UInt8($0) }
        #expect(BLAKE2b.hash(input, key: key) == Self.hex(expected))
    }

    @Test func shortDigestsAndKeys() {
        #expect(BLAKE2b.hash(Array("abc".utf8), outputLength: 32)
            == Self.hex("bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"))
        let input = (0..<200).map { UInt8($0 % 251) }
        let key = (0..<5).map { UInt8($0) }
        #expect(BLAKE2b.hash(input, outputLength: 20, key: key)
            == Self.hex("cb7740aec929e82bc77c1acd077395dfd89d0de0"))
        let long = (0..<1000).map { UInt8($0 % 256) }
        #expect(BLAKE2b.hash(long, outputLength: 1) == [0x99])
    }

    /// Feeding input in pieces gives the same digest as one call.
    @Test func incrementalUpdates() {
        let input = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for split in [0, 1, 127, 128, 129, 256, 300] {
            var hasher = BLAKE2b(outputLength: 64)
            hasher.update(input[..<split])
            hasher.update(input[split...])
            #expect(hasher.finalize() == BLAKE2b.hash(input))
        }
    }
}
