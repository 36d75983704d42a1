import Testing
@testable import HyperionCrypto

/// Expected values from Python: `hmac.new(key, msg, hashlib.blake2s)` and the Noise HKDF
/// built from it.
@Suite struct NoiseHashTests {
    @Test func hashIsBLAKE2s256() {
        #expect(TestBytes.hexString(NoiseHash.hash(Array("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s".utf8)))
            == "60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36")
    }

    @Test(arguments: [
        ("", "", "eaf4bb25938f4d20e72656bbbc7a9bf63c0c18537333c35bdb67db1402661acd"),
        (
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "68656c6c6f206e6f697365",
            "bbf7b87c9929eac9f990893d1a2695b5d30f3aed32c044653c2e283b36558f88"
        ),
        // A full-block key: no padding.
        (
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                + "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
            "616263", "3a0ef09eac123871fb79852ec512086d013abff437bd68ca03630932bd6ba81f"
        ),
        // A key longer than a block is hashed first.
        (
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                + "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
                + "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60616263",
            "6c6f6e67206b6579", "096d2dec44b647196383c466daf27592cf0c187793f83d1e9f8a19efc137d0d1"
        ),
    ])
    func hmacMatchesPython(key: String, data: String, expected: String) {
        #expect(TestBytes.hexString(NoiseHash.hmac(key: TestBytes.hex(key), data: TestBytes.hex(data))) == expected)
    }

    @Test func hmacWithLongMessage() {
        let data = (0..<200).map { UInt8($0) }
        #expect(TestBytes.hexString(NoiseHash.hmac(key: Array("key".utf8), data: data))
            == "0b0ef58127f9f3061464b6d0e8f6b383a1f23dea8064d5c068a7ed1da34ed78b")
    }

    @Test func hkdfThreeOutputs() {
        let outputs = NoiseHash.hkdf(
            chainingKey: (0..<32).map { UInt8($0) }, inputKeyMaterial: (32..<64).map { UInt8($0) }, outputs: 3
        )
        #expect(outputs.map(TestBytes.hexString) == [
            "6a96444e20e8d4c1cee974416acae1c10b3c92886010e54ed94dafb2c3b80ea0",
            "57af120b0de7acbe7907ec149c5ae870a2dbb74232b65777ba4123f1f7f888f5",
            "0926c7caabb6e8d73beda759e6f4f0d324ce5b5000bcf8cd784b26db3049faa9",
        ])
    }

    /// Two outputs with empty input key material: exactly what Split() computes.
    @Test func hkdfTwoOutputsEmptyInput() {
        let outputs = NoiseHash.hkdf(chainingKey: (0..<32).map { UInt8($0) }, inputKeyMaterial: [], outputs: 2)
        #expect(outputs.map(TestBytes.hexString) == [
            "7a38c34bf2b8738d7374ca77c44ecb309a11d2b2528304fa86052c365e722624",
            "1a17621f346abdc520746a9fb64d8eb03231d674fc15687537b0780fd9c060fd",
        ])
    }

    /// The knock key of PROTOCOL.md §7 is the first HKDF output with the label as chaining
    /// key; the expected value is the one in Vectors/hyperion-v1.txt.
    @Test func knockKeyDerivationMatchesHyperionVector() {
        let outputs = NoiseHash.hkdf(
            chainingKey: Array("hyperion-vpn knock key v1".utf8), inputKeyMaterial: (0..<32).map { UInt8($0) }, outputs: 2
        )
        #expect(TestBytes.hexString(outputs[0]) == "a6dd7e5596f53d0b57c89928c9f31b89d39e1c9443cedab7ba03865b1d896b8e")
    }
}
