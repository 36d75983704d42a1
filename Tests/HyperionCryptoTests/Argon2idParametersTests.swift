import Testing
@testable import HyperionCrypto

/// Every out-of-range parameter is refused before any memory is allocated, with a message
/// that names the parameter and the allowed range.
@Suite struct Argon2idParametersTests {
    private func expectRejected(_ parameters: Argon2id.Parameters, mentioning words: [String]) {
        let error = #expect(throws: HyperionCryptoError.self) {
            try Argon2id.hash(password: [1, 2, 3], salt: Array("somesalt".utf8), parameters: parameters)
        }
        #expect(error?.kind == .invalidArgon2Parameters)
        for word in words {
            #expect(error?.message.contains(word) == true, "\(error?.message ?? "") should mention \(word)")
        }
    }

    @Test func parallelism() {
        expectRejected(.init(memoryKiB: 64, iterations: 1, parallelism: 0, outputLength: 32),
                       mentioning: ["parallelism is 0", "between 1 and 16777215"])
        expectRejected(.init(memoryKiB: UInt32.max, iterations: 1, parallelism: 1 << 24, outputLength: 32),
                       mentioning: ["parallelism is 16777216", "between 1 and 16777215"])
    }

    @Test func outputLength() {
        for length in [-1, 0, 3] {
            expectRejected(.init(memoryKiB: 64, iterations: 1, parallelism: 1, outputLength: length),
                           mentioning: ["outputLength is \(length)", "between 4 and 4294967295"])
        }
        expectRejected(.init(memoryKiB: 64, iterations: 1, parallelism: 1, outputLength: Int(UInt32.max) + 1),
                       mentioning: ["outputLength is 4294967296", "between 4 and 4294967295"])
    }

    @Test func memory() {
        expectRejected(.init(memoryKiB: 7, iterations: 1, parallelism: 1, outputLength: 32),
                       mentioning: ["memoryKiB is 7", "8 * parallelism (8)", "4194304 (4 GiB)"])
        expectRejected(.init(memoryKiB: 31, iterations: 1, parallelism: 4, outputLength: 32),
                       mentioning: ["memoryKiB is 31", "8 * parallelism (32)"])
        // Above the 4 GiB cap: refused, not allocated.
        expectRejected(.init(memoryKiB: 4 * 1024 * 1024 + 1, iterations: 1, parallelism: 1, outputLength: 32),
                       mentioning: ["memoryKiB is 4194305", "4194304 (4 GiB)"])
        expectRejected(.init(memoryKiB: UInt32.max, iterations: 1, parallelism: 1, outputLength: 32),
                       mentioning: ["memoryKiB is 4294967295"])
    }

    @Test func iterations() {
        expectRejected(.init(memoryKiB: 64, iterations: 0, parallelism: 1, outputLength: 32),
                       mentioning: ["iterations is 0", "between 1 and 4294967295"])
    }

    @Test func smallestValidParameters() throws {
        let tag = try Argon2id.hash(
            password: [], salt: [], parameters: .init(memoryKiB: 8, iterations: 1, parallelism: 1, outputLength: 4))
        #expect(tag.count == 4)
    }

    @Test func shortSaltForPresharedKey() {
        let error = #expect(throws: HyperionCryptoError.self) {
            try Argon2id.derivePresharedKey(passphrase: "correct horse", salt: "short")
        }
        #expect(error?.kind == .invalidArgon2Parameters)
        #expect(error?.message.contains("at least 8") == true)
    }
}
