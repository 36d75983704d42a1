import Testing
@testable import HyperionCrypto

@Suite struct X25519SecretKeyTests {
    /// RFC 7748 §6.1: both sides of the DH agree on the published shared secret.
    @Test func sharedSecretMatchesRFC7748() throws {
        let alice = try X25519SecretKey(rawBytes: TestBytes.hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
        let bob = try X25519SecretKey(rawBytes: TestBytes.hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"))
        let expected = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        #expect(TestBytes.hexString(try alice.sharedSecret(with: bob.publicKey)) == expected)
        #expect(TestBytes.hexString(try bob.sharedSecret(with: alice.publicKey)) == expected)
    }

    /// Low-order points (here 0 and 1, from the list of RFC 7748 §7's small-order inputs)
    /// give an all-zero secret, which must never be used as key material.
    @Test(arguments: [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    ])
    func lowOrderPeerKeyIsRefused(point: String) throws {
        let peer = try X25519PublicKey(rawBytes: TestBytes.hex(point))
        expectCryptoError(.invalidPublicKey) { try X25519SecretKey.generate().sharedSecret(with: peer) }
    }
}
