import Testing
@testable import HyperionCrypto

/// REKEY against values computed with Python's `cryptography` (Vectors/noise-rekey.txt
/// says how), and the properties PROTOCOL.md §10.3 relies on.
@Suite struct NoiseCipherStateRekeyTests {
    let fields: [String: String]

    init() throws { fields = try VectorFields.load("noise-rekey") }

    func hex(_ name: String) throws -> [UInt8] { TestBytes.hex(try #require(fields[name])) }
    func number(_ name: String) throws -> UInt64 {
        let text = try #require(fields[name])
        return try #require(UInt64(text))
    }

    @Test func rekeyMatchesTheIndependentComputation() throws {
        var cipher = NoiseCipherState(key: try hex("key_hex"))
        try cipher.rekey()
        #expect(cipher.key.withUnsafeBytes { Array($0) } == (try hex("rekeyed_once_hex")))
        try cipher.rekey()
        #expect(cipher.key.withUnsafeBytes { Array($0) } == (try hex("rekeyed_twice_hex")))
    }

    @Test func framesAfterARekeyUseTheNewKeyAndTheSameCounter() throws {
        let nonce = try number("frame_nonce")
        var sender = NoiseCipherState(key: try hex("key_hex"), nonce: nonce)
        // The transport context of the old key exists before the rekey, as on a live tunnel.
        _ = try sender.transportAEAD()
        try sender.rekey()
        #expect(sender.nonce == nonce, "REKEY does not reset the counter")
        #expect(!sender.hasTransportContext, "the old key's context is dropped")
        #expect(try sender.seal(try hex("frame_plaintext_hex")) == (try hex("frame_after_one_rekey_hex")))
        #expect(sender.nonce == nonce + 1)

        var receiver = NoiseCipherState(key: try hex("key_hex"), nonce: nonce)
        try receiver.rekey()
        #expect(try receiver.open(try hex("frame_after_one_rekey_hex")) == (try hex("frame_plaintext_hex")))
    }

    /// The marker that announces a rekey on the wire: an empty plaintext's tag with the
    /// marker's length field as associated data, unlike an empty frame's.
    @Test func markerTagBindsItsLengthField() throws {
        let nonce = try number("marker_nonce")
        var cipher = NoiseCipherState(key: try hex("key_hex"), nonce: nonce)
        let marker = try cipher.sealEmpty(authenticating: [0x80, 0x10])
        #expect(marker == (try hex("marker_hex")))
        #expect(cipher.nonce == nonce + 1)
        var plain = NoiseCipherState(key: try hex("key_hex"), nonce: nonce)
        #expect(try plain.seal([]) == (try hex("empty_frame_hex")))

        var receiver = NoiseCipherState(key: try hex("key_hex"), nonce: nonce)
        expectCryptoError(.authenticationFailed) { try receiver.openEmpty(try hex("empty_frame_hex"), authenticating: [0x80, 0x10]) }
        #expect(receiver.nonce == nonce)
        try receiver.openEmpty(marker, authenticating: [0x80, 0x10])
        #expect(receiver.nonce == nonce + 1)
    }

    @Test func oldKeyNoLongerOpensNewFrames() throws {
        var sender = NoiseCipherState(key: try hex("key_hex"))
        var receiver = NoiseCipherState(key: try hex("key_hex"))
        try sender.rekey()
        let frame = try sender.seal(Array("after".utf8))
        expectCryptoError(.authenticationFailed) { try receiver.open(frame) }
        try receiver.rekey()
        #expect(try receiver.open(frame) == Array("after".utf8))
    }

    /// REKEY uses the reserved nonce 2⁶⁴−1 internally; it works at any counter, and leaves
    /// exhaustion where it was: the last usable frame, then nothing.
    @Test func rekeyNearNonceExhaustion() throws {
        var sender = NoiseCipherState(key: try hex("key_hex"), nonce: UInt64.max - 1)
        var receiver = NoiseCipherState(key: try hex("key_hex"), nonce: UInt64.max - 1)
        try sender.rekey()
        try receiver.rekey()
        #expect(sender.nonce == UInt64.max - 1)
        #expect(try receiver.open(try sender.seal([1, 2, 3])) == [1, 2, 3])
        try sender.rekey()
        #expect(sender.nonce == UInt64.max)
        expectCryptoError(.nonceExhausted) { try sender.seal([4]) }
    }
}
