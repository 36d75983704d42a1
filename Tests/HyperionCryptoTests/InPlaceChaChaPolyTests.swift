import Crypto
import Dispatch
import Synchronization
import Testing
@_spi(Benchmarks) @testable import HyperionCrypto

/// The C contexts behind transport frames, each implementation on its own: the same bytes
/// as swift-crypto's ChaChaPoly, nothing left of a forged frame, and correct when copies of
/// a `NoiseCipherState` share one context across threads (OpenSSL's EVP context keeps
/// per-message state).
@Suite struct InPlaceChaChaPolyTests {
    static let key = (0..<32).map { UInt8(255 - $0) }

    static var availableImplementations: [InPlaceChaChaPoly.Implementation] {
        InPlaceChaChaPoly.Implementation.allCases.filter { InPlaceChaChaPoly(key: key, using: $0) != nil }
    }

    static func nonce(_ counter: UInt64) -> [UInt8] {
        [0, 0, 0, 0] + withUnsafeBytes(of: counter.littleEndian) { Array($0) }
    }

    func expected(_ plaintext: [UInt8], counter: UInt64) throws -> [UInt8] {
        let box = try ChaChaPoly.seal(plaintext, using: SymmetricKey(data: Self.key), nonce: ChaChaPoly.Nonce(data: Self.nonce(counter)))
        return Array(box.ciphertext) + Array(box.tag)
    }

    func seal(_ cipher: InPlaceChaChaPoly, _ plaintext: [UInt8], counter: UInt64) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: plaintext.count + InPlaceChaChaPoly.tagByteCount)
        let nonce = Self.nonce(counter)
        let ok = plaintext.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                nonce.withUnsafeBytes { cipher.seal(from: input.baseAddress!, count: plaintext.count, into: out, nonce: $0) }
            }
        }
        return ok ? output : nil
    }

    /// Opens in place, as the transport path does; returns the plaintext, or what is left
    /// in the buffer when the tag does not verify.
    func openInPlace(_ cipher: InPlaceChaChaPoly, _ sealed: [UInt8], counter: UInt64) -> (ok: Bool, bytes: [UInt8]) {
        var buffer = sealed
        let plaintextCount = sealed.count - InPlaceChaChaPoly.tagByteCount
        let nonce = Self.nonce(counter)
        let ok = buffer.withUnsafeMutableBytes { bytes in
            nonce.withUnsafeBytes { cipher.open(UnsafeRawBufferPointer(bytes), into: bytes.baseAddress!, nonce: $0) }
        }
        return (ok, Array(buffer[..<plaintextCount]))
    }

    /// The transport path must get the faster implementation for each size: on Linux
    /// OpenSSL's AVX-512 code from 1 KiB on, BoringSSL (less overhead) below.
    @Test func theDefaultContextPicksTheFasterImplementationPerSize() throws {
        let cipher = try #require(InPlaceChaChaPoly(key: Self.key))
        #expect(cipher.implementation(forMessageOf: 64) == .boringSSL)
        #expect(cipher.implementation(forMessageOf: 1023) == .boringSSL)
        #if os(Linux)
        #expect(cipher.implementation(forMessageOf: 1024) == .openSSL)
        #expect(cipher.implementation(forMessageOf: 16_384) == .openSSL)
        #else
        #expect(cipher.implementation(forMessageOf: 16_384) == .boringSSL)
        #endif
    }

    @Test func bothImplementationsAreAvailable() {
        #if os(Linux)
        #expect(Self.availableImplementations == [.openSSL, .boringSSL])
        #else
        #expect(Self.availableImplementations == [.boringSSL])
        #endif
    }

    /// Each implementation alone, and the default context (which switches at 1 KiB).
    @Test(arguments: availableImplementations.map(Optional.some) + [nil])
    func sealsAndOpensLikeSwiftCryptoForEverySize(_ implementation: InPlaceChaChaPoly.Implementation?) throws {
        let cipher = try #require(implementation.map { InPlaceChaChaPoly(key: Self.key, using: $0) } ?? InPlaceChaChaPoly(key: Self.key))
        if let implementation { #expect(cipher.implementation(forMessageOf: 16_384) == implementation) }
        for size in [0, 1, 15, 16, 17, 63, 64, 65, 255, 256, 1000, 1023, 1024, 1025, 16_384, 65_519] {
            let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ size) }
            let sealed = try #require(seal(cipher, plaintext, counter: UInt64(size)))
            #expect(sealed == (try expected(plaintext, counter: UInt64(size))), "size \(size)")
            let opened = openInPlace(cipher, sealed, counter: UInt64(size))
            #expect(opened.ok && opened.bytes == plaintext, "size \(size)")
        }
    }

    /// A seal from pieces writes what a seal of the joined pieces writes, however the
    /// plaintext is cut (empty pieces included), on either side of the 1 KiB switch.
    @Test(arguments: availableImplementations.map(Optional.some) + [nil])
    func gatheredSealMatchesSwiftCryptoForAnyCut(_ implementation: InPlaceChaChaPoly.Implementation?) throws {
        let cipher = try #require(implementation.map { InPlaceChaChaPoly(key: Self.key, using: $0) } ?? InPlaceChaChaPoly(key: Self.key))
        var generator = SystemRandomNumberGenerator()
        for (index, size) in [0, 1, 12, 100, 1023, 1024, 1500, 16_384].enumerated() {
            let plaintext = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var cuts = (0..<Int.random(in: 0...6, using: &generator)).map { _ in Int.random(in: 0...size, using: &generator) }
            cuts = ([0] + cuts.sorted() + [size])
            let pieces = zip(cuts, cuts.dropFirst()).map { Array(plaintext[$0..<$1]) }
            var output = [UInt8](repeating: 0, count: size + InPlaceChaChaPoly.tagByteCount)
            let nonce = Self.nonce(UInt64(index))
            let ok = output.withUnsafeMutableBytes { out in
                nonce.withUnsafeBytes { nonceBytes in
                    cipher.seal(count: size, into: out, nonce: nonceBytes) { add in
                        for piece in pieces { piece.withUnsafeBytes { add($0) } }
                    }
                }
            }
            #expect(ok, "size \(size) in \(pieces.count) pieces")
            #expect(output == (try expected(plaintext, counter: UInt64(index))), "size \(size) in \(pieces.map(\.count)) pieces")
        }
    }

    /// Pieces that come to fewer or more bytes than announced fail the seal, leave neither
    /// plaintext nor ciphertext in the output (what was written is zeroed), and the
    /// context is usable afterwards (its lock was released).
    @Test(arguments: availableImplementations.map(Optional.some) + [nil])
    func gatheredSealRefusesPiecesThatDoNotAddUp(_ implementation: InPlaceChaChaPoly.Implementation?) throws {
        let cipher = try #require(implementation.map { InPlaceChaChaPoly(key: Self.key, using: $0) } ?? InPlaceChaChaPoly(key: Self.key))
        let nonce = Self.nonce(1)
        for (announced, given) in [(2000, 1999), (2000, 2001), (100, 99), (100, 101)] {
            var output = [UInt8](repeating: 0xEE, count: announced + InPlaceChaChaPoly.tagByteCount)
            let piece = [UInt8](repeating: 3, count: given)
            let ok = output.withUnsafeMutableBytes { out in
                nonce.withUnsafeBytes { cipher.seal(count: announced, into: out, nonce: $0) { add in piece.withUnsafeBytes { add($0) } } }
            }
            #expect(!ok, "\(given) bytes given for \(announced)")
            let left = output.filter { $0 != 0 && $0 != 0xEE }.count
            #expect(left == 0, "\(left) bytes of plaintext or ciphertext left behind (\(given) bytes given for \(announced))")
        }
        let plaintext = [UInt8](repeating: 9, count: 3000)
        #expect(seal(cipher, plaintext, counter: 2) == (try expected(plaintext, counter: 2)))
    }

    /// A wrong nonce or a flipped bit fails, and the buffer holds zeros, never the
    /// unauthenticated plaintext (OpenSSL decrypts before it checks the tag).
    @Test(arguments: availableImplementations)
    func forgeryIsRefusedAndLeavesNoPlaintext(_ implementation: InPlaceChaChaPoly.Implementation) throws {
        let cipher = try #require(InPlaceChaChaPoly(key: Self.key, using: implementation))
        let plaintext = [UInt8](repeating: 0x41, count: 3000)
        let sealed = try #require(seal(cipher, plaintext, counter: 9))
        let wrongNonce = openInPlace(cipher, sealed, counter: 10)
        #expect(!wrongNonce.ok && wrongNonce.bytes.allSatisfy { $0 == 0 })
        for index in [0, 150, sealed.count - 1] {
            var tampered = sealed
            tampered[index] ^= 0x01
            let result = openInPlace(cipher, tampered, counter: 9)
            #expect(!result.ok && result.bytes.allSatisfy { $0 == 0 }, "byte \(index) flipped")
        }
    }

    /// Four threads seal and open through one context, each with its own nonces and
    /// lengths; every result must match swift-crypto's. Without the OpenSSL context's lock
    /// the threads overwrite each other's nonce and Poly1305 state (or crash).
    @Test(arguments: availableImplementations)
    func oneContextSharedByFourThreadsStaysCorrect(_ implementation: InPlaceChaChaPoly.Implementation) throws {
        let cipher = try #require(InPlaceChaChaPoly(key: Self.key, using: implementation))
        let threads = 4, messagesPerThread = 1500
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            var wrong = 0
            for index in 0..<messagesPerThread {
                let counter = UInt64(thread * messagesPerThread + index)
                let plaintext = [UInt8](repeating: UInt8(thread), count: 64 + (index % 7) * 400)
                guard let sealed = seal(cipher, plaintext, counter: counter),
                      sealed == (try? expected(plaintext, counter: counter))
                else { wrong += 1; continue }
                let opened = openInPlace(cipher, sealed, counter: counter)
                if !opened.ok || opened.bytes != plaintext { wrong += 1 }
            }
            failures.withLock { $0 += wrong }
        }
        #expect(failures.withLock { $0 } == 0)
    }
}
