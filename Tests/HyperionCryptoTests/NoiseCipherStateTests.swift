import Testing
@testable import HyperionCrypto

@Suite struct NoiseCipherStateTests {
    static let key = (0..<32).map { UInt8($0) }

    func pair() -> (sender: NoiseCipherState, receiver: NoiseCipherState) {
        (NoiseCipherState(key: Self.key), NoiseCipherState(key: Self.key))
    }

    /// Expected ciphertexts from Python `cryptography`'s ChaCha20Poly1305 with nonce
    /// 4 zero bytes || little-endian counter, so the counter's encoding is pinned.
    @Test(arguments: [
        (UInt64(0), "70c13254df8fc9bf1795287de0423789187d916cc2d5ade3"),
        (UInt64(0x0102_0304_0506_0708), "9830dd81d9508576864576756fb5a736bfbb82692f3e0325"),
    ])
    func nonceIsLittleEndianCounter(nonce: UInt64, expected: String) throws {
        var cipher = NoiseCipherState(key: Self.key, nonce: nonce)
        #expect(TestBytes.hexString(try cipher.seal(Array("hyperion".utf8))) == expected)
        #expect(cipher.nonce == nonce + 1)
    }

    @Test func handshakeEncryptionAuthenticatesAssociatedData() throws {
        var cipher = NoiseCipherState(key: Self.key, nonce: 5)
        let ciphertext = try cipher.encrypt(Array("payload".utf8), associatedData: Array("ad".utf8))
        #expect(TestBytes.hexString(ciphertext) == "5369ef662a44232072dcd2a7fc63e70552c36e61a80600")

        var receiver = NoiseCipherState(key: Self.key, nonce: 5)
        expectCryptoError(.authenticationFailed) { try receiver.decrypt(ciphertext, associatedData: Array("AD".utf8)) }
        #expect(receiver.nonce == 5)
        #expect(try receiver.decrypt(ciphertext, associatedData: Array("ad".utf8)) == Array("payload".utf8))
        #expect(receiver.nonce == 6)
        expectCryptoError(.authenticationFailed) { try receiver.decrypt(Array(ciphertext.prefix(15)), associatedData: []) }
    }

    @Test func nonceIncrementsOnBothSides() throws {
        var (sender, receiver) = pair()
        for counter in 0..<5 {
            #expect(sender.nonce == UInt64(counter))
            let plaintext = Array("frame \(counter)".utf8)
            let sealed = try sender.seal(plaintext)
            #expect(sealed.count == plaintext.count + 16)
            #expect(try receiver.open(sealed) == plaintext)
            #expect(receiver.nonce == UInt64(counter + 1))
        }
    }

    @Test func samePlaintextEncryptsDifferentlyEachTime() throws {
        var (sender, _) = pair()
        let first = try sender.seal([1, 2, 3])
        let second = try sender.seal([1, 2, 3])
        #expect(first != second)
    }

    @Test func replayedFrameIsRefused() throws {
        var (sender, receiver) = pair()
        let sealed = try sender.seal(Array("once".utf8))
        #expect(try receiver.open(sealed) == Array("once".utf8))
        expectCryptoError(.authenticationFailed) { try receiver.open(sealed) }
    }

    @Test func reorderedFramesAreRefused() throws {
        var (sender, receiver) = pair()
        let first = try sender.seal(Array("first".utf8))
        let second = try sender.seal(Array("second".utf8))
        expectCryptoError(.authenticationFailed) { try receiver.open(second) }
        // A refused frame consumes no nonce: the frame that is really next still opens.
        #expect(receiver.nonce == 0)
        #expect(try receiver.open(first) == Array("first".utf8))
        #expect(try receiver.open(second) == Array("second".utf8))
    }

    /// A failed open wipes its output (OpenSSL decrypts before it checks the tag), so what is left is zeros: never any
    /// plaintext of the forged frame.
    @Test func tamperedFrameIsRefusedAndYieldsNoPlaintext() throws {
        var (sender, receiver) = pair()
        let sealed = try sender.seal(Array(repeating: 0x41, count: 100))
        for index in [0, 50, sealed.count - 1] {
            var tampered = sealed
            tampered[index] ^= 0x01
            var output = [UInt8](repeating: 0xEE, count: 100)
            expectCryptoError(.authenticationFailed) {
                try tampered.withUnsafeBytes { input in
                    try output.withUnsafeMutableBytes { try receiver.open(input, into: $0) }
                }
            }
            #expect(output == [UInt8](repeating: 0, count: 100) || output == [UInt8](repeating: 0xEE, count: 100))
        }
        #expect(try receiver.open(sealed) == Array(repeating: 0x41, count: 100))
    }

    @Test func emptyPlaintextIsJustATag() throws {
        var (sender, receiver) = pair()
        let sealed = try sender.seal([])
        #expect(sealed.count == 16)
        #expect(try receiver.open(sealed) == [])
    }

    @Test func largestFrameRoundTripsAndLargerIsRefused() throws {
        var (sender, receiver) = pair()
        let largest = (0..<16384).map { UInt8(truncatingIfNeeded: $0) }
        let sealed = try sender.seal(largest)
        #expect(sealed.count == 16400)
        #expect(try receiver.open(sealed) == largest)

        expectCryptoError(.invalidMessageLength) { try sender.seal(largest + [0]) }
        expectCryptoError(.invalidMessageLength) { try receiver.open(sealed + [0]) }
        #expect(sender.nonce == 1)
        #expect(receiver.nonce == 1)
    }

    @Test func sealIntoTooSmallBufferThrowsWithoutWriting() throws {
        var (sender, receiver) = pair()
        let plaintext = [UInt8](repeating: 7, count: 32)
        var output = [UInt8](repeating: 0xEE, count: 47)
        expectCryptoError(.invalidMessageLength) {
            try plaintext.withUnsafeBytes { input in
                try output.withUnsafeMutableBytes { try sender.seal(input, into: $0) }
            }
        }
        #expect(output == [UInt8](repeating: 0xEE, count: 47))
        #expect(sender.nonce == 0)

        // One caller-owned buffer, larger than any frame, reused for frame after frame.
        var reused = [UInt8](repeating: 0, count: 16400)
        for length in [48, 0, 16384, 1] {
            let frame = [UInt8](repeating: UInt8(length & 0xFF), count: length)
            let written = try frame.withUnsafeBytes { input in
                try reused.withUnsafeMutableBytes { try sender.seal(input, into: $0) }
            }
            #expect(written == length + 16)
            #expect(try receiver.open(Array(reused[..<written])) == frame)
        }
    }

    @Test func openIntoTooSmallBufferOrTooShortFrameThrows() throws {
        var (sender, receiver) = pair()
        let sealed = try sender.seal([UInt8](repeating: 1, count: 10))
        var output = [UInt8](repeating: 0, count: 9)
        expectCryptoError(.invalidMessageLength) {
            try sealed.withUnsafeBytes { input in
                try output.withUnsafeMutableBytes { try receiver.open(input, into: $0) }
            }
        }
        expectCryptoError(.invalidMessageLength) { try receiver.open(Array(sealed.prefix(15))) }
        expectCryptoError(.invalidMessageLength) { try receiver.open([]) }
        #expect(receiver.nonce == 0)
        #expect(try receiver.open(sealed) == [UInt8](repeating: 1, count: 10))
    }

    @Test func exhaustedNonceIsRefused() throws {
        var sender = NoiseCipherState(key: Self.key, nonce: UInt64.max - 1)
        var receiver = NoiseCipherState(key: Self.key, nonce: UInt64.max - 1)
        let last = try sender.seal([9])
        #expect(sender.nonce == UInt64.max)
        expectCryptoError(.nonceExhausted) { try sender.seal([9]) }
        expectCryptoError(.nonceExhausted) { try sender.encrypt([9], associatedData: []) }
        #expect(try receiver.open(last) == [9])
        expectCryptoError(.nonceExhausted) { try receiver.open(last) }
    }

    @Test func descriptionHidesTheKey() {
        let cipher = NoiseCipherState(key: Self.key)
        #expect(!"\(cipher)".contains("0, 1, 2"))
        #expect("\(cipher)".contains("redacted"))
    }

    /// A seal that fails after it began (here: pieces short of the announced count) uses
    /// its nonce up, so no later frame is ever sealed under a nonce that produced output.
    @Test func aFailedSealUsesItsNonceUp() throws {
        var (sender, receiver) = pair()
        var output = [UInt8](repeating: 0, count: 3000 + NoiseCipherState.tagByteCount)
        let piece = [UInt8](repeating: 7, count: 2999)
        #expect(throws: HyperionCryptoError.self) {
            try output.withUnsafeMutableBytes { out in
                try sender.seal(plaintextCount: 3000, into: out) { add in piece.withUnsafeBytes { add($0) } }
            }
        }
        #expect(sender.nonce == 1)
        let plaintext = [UInt8](repeating: 8, count: 3000)
        let sealedCount = try output.withUnsafeMutableBytes { out in try plaintext.withUnsafeBytes { try sender.seal($0, into: out) } }
        var opened = [UInt8](repeating: 0, count: 3000)
        // The receiver, still at nonce 0, refuses the frame sealed under nonce 1.
        #expect(throws: HyperionCryptoError.self) {
            try output[..<sealedCount].withUnsafeBytes { frame in try opened.withUnsafeMutableBytes { try receiver.open(frame, into: $0) } }
        }
    }
}
