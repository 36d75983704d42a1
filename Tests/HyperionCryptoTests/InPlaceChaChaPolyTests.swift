import Crypto
import Dispatch
import Synchronization
import Testing
@testable import HyperionCrypto

/// The C context behind transport frames (OpenSSL's EVP on Linux) keeps per-message state,
/// yet copies of a `NoiseCipherState` share it; it must stay correct when several threads
/// use one context at once.
@Suite struct InPlaceChaChaPolyTests {
    static let key = (0..<32).map { UInt8(255 - $0) }

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

    func open(_ cipher: InPlaceChaChaPoly, _ sealed: [UInt8], counter: UInt64) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: sealed.count - InPlaceChaChaPoly.tagByteCount)
        let nonce = Self.nonce(counter)
        let ok = sealed.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in nonce.withUnsafeBytes { cipher.open(input, into: out.baseAddress!, nonce: $0) } }
        }
        return ok ? output : nil
    }

    @Test func sealsAndOpensLikeSwiftCryptoForEverySize() throws {
        let cipher = InPlaceChaChaPoly(key: Self.key)
        for size in [0, 1, 15, 16, 17, 63, 64, 65, 255, 256, 1000, 16_384, 65_519] {
            let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ size) }
            let sealed = try #require(seal(cipher, plaintext, counter: UInt64(size)))
            #expect(sealed == (try expected(plaintext, counter: UInt64(size))), "size \(size)")
            #expect(open(cipher, sealed, counter: UInt64(size)) == plaintext, "size \(size)")
            #expect(open(cipher, sealed, counter: UInt64(size) + 1) == nil, "size \(size): wrong nonce refused")
        }
    }

    /// Four threads seal and open through one context, each with its own nonces and
    /// lengths; every result must match swift-crypto's. Without the context's lock the
    /// threads overwrite each other's nonce and Poly1305 state and tags come out wrong.
    @Test func oneContextSharedByFourThreadsStaysCorrect() throws {
        let cipher = InPlaceChaChaPoly(key: Self.key)
        let threads = 4, messagesPerThread = 1500
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            var wrong = 0
            for index in 0..<messagesPerThread {
                let counter = UInt64(thread * messagesPerThread + index)
                let plaintext = [UInt8](repeating: UInt8(thread), count: 64 + (index % 7) * 300)
                guard let sealed = seal(cipher, plaintext, counter: counter),
                      sealed == (try? expected(plaintext, counter: counter)),
                      open(cipher, sealed, counter: counter) == plaintext
                else { wrong += 1; continue }
            }
            failures.withLock { $0 += wrong }
        }
        #expect(failures.withLock { $0 } == 0)
    }
}
