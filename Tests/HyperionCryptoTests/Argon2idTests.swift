import Foundation
import Testing
@testable import HyperionCrypto

/// Argon2id against RFC 9106 §5.3, the Hyperion v1 vector file, and tags from the C
/// reference implementation (argon2-cffi 25.1.0, `argon2_ctx` with type Argon2id,
/// version 0x13) for varied lanes, memory, passes, tag lengths, secrets and data.
@Suite struct Argon2idTests {
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

    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func rfc9106Section5_3() throws {
        let tag = try Argon2id.hash(
            password: [UInt8](repeating: 0x01, count: 32),
            salt: [UInt8](repeating: 0x02, count: 16),
            secret: [UInt8](repeating: 0x03, count: 8),
            associatedData: [UInt8](repeating: 0x04, count: 12),
            parameters: .init(memoryKiB: 32, iterations: 3, parallelism: 4, outputLength: 32))
        #expect(tag == Self.hex("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"))
    }

    /// The PSK vector of PROTOCOL.md §2, read from the shared vector file.
    @Test func hyperionV1PresharedKey() throws {
        let fields = try VectorFields.load("hyperion-v1")
        let passphrase = try #require(fields["passphrase"])
        let salt = try #require(fields["salt"])
        let expected = try #require(fields["psk_base64"])

        let key = try Argon2id.derivePresharedKey(passphrase: passphrase, salt: salt)
        #expect(key.rawBytes == Array(try #require(Data(base64Encoded: expected))))
    }

    struct CrossCheck: Sendable, CustomTestStringConvertible {
        var password: [UInt8]
        var salt: [UInt8]
        var secret: [UInt8] = []
        var associatedData: [UInt8] = []
        var parameters: Argon2id.Parameters
        var tag: String
        var testDescription: String {
            let p = parameters
            return "m=\(p.memoryKiB) t=\(p.iterations) p=\(p.parallelism) T=\(p.outputLength) K=\(secret.count) X=\(associatedData.count)"
        }
    }

    static let crossChecks: [CrossCheck] = [
        .init(password: bytes("password"), salt: bytes("somesalt"),
              parameters: .init(memoryKiB: 8, iterations: 1, parallelism: 1, outputLength: 4),
              tag: "6b7a947d"),
        .init(password: bytes("password"), salt: bytes("somesalt"),
              parameters: .init(memoryKiB: 64, iterations: 2, parallelism: 1, outputLength: 16),
              tag: "0a96a163decc356a36bb21964238e2e2"),
        // m = 100 is rounded down to m' = 100 (4p divides it); m = 50 with p = 2 to 48.
        .init(password: bytes("password"), salt: bytes("somesalt"),
              parameters: .init(memoryKiB: 100, iterations: 3, parallelism: 1, outputLength: 32),
              tag: "97866679894a47f4c0f7e61c502eeddb06b961b520b054e1d1c05a7a5477208c"),
        .init(password: bytes("password"), salt: bytes("somesalt"),
              parameters: .init(memoryKiB: 256, iterations: 1, parallelism: 2, outputLength: 32),
              tag: "aa2e5f335ebd402999366293609997e1ca8d268c2e45414ae35458571ea76eb8"),
        .init(password: bytes("password"), salt: bytes("somesalt"),
              parameters: .init(memoryKiB: 96, iterations: 2, parallelism: 3, outputLength: 64),
              tag: "2b24dfd5412a4f69c9fc8ba281580512db1d812fbf8495900d5dfbb341d70188"
                + "745ed409b2bdc7c000b38b8cffebb1958f1c7eefcea8d2264124b7986afeb2cd"),
        .init(password: [], salt: bytes("saltsalt"),
              parameters: .init(memoryKiB: 24, iterations: 1, parallelism: 3, outputLength: 100),
              tag: "41d2b7c6ee399f747ebb5fa94f967171033ac1f0840de0ccc7939a59eef88f31"
                + "f0edc209f6f5de9a94fba545195dd9b31801fae60aa48076980481b2141be333"
                + "6dcb811e1e6774f011fa6468098fb2323ac25ffd59c77bcfe1a01aba357a6e47"
                + "f0832e7f"),
        .init(password: bytes("hyperion"), salt: (0..<16).map { UInt8($0) },
              secret: [UInt8](repeating: 7, count: 5), associatedData: bytes("ad"),
              parameters: .init(memoryKiB: 50, iterations: 3, parallelism: 2, outputLength: 65),
              tag: "578c68ed00df1933ad9fa2ae3cb287c79ee35c65d087f45aede081308e018e86"
                + "04aa18fd20b95f7c8c4b72d41035fee217dbb676a6f3ebc08e0f77bcc6171457"
                + "77"),
        .init(password: (0..<200).map { UInt8($0) }, salt: [UInt8](repeating: 0xff, count: 33),
              parameters: .init(memoryKiB: 1000, iterations: 2, parallelism: 1, outputLength: 32),
              tag: "5d37ec1b006d2b18fb84fc0a5a88576d9d43022d81091a098849430e1c1772b0"),
        .init(password: bytes("pw"), salt: bytes("saltsalt"),
              secret: [UInt8](repeating: UInt8(ascii: "k"), count: 64),
              associatedData: [UInt8](repeating: UInt8(ascii: "x"), count: 300),
              parameters: .init(memoryKiB: 9, iterations: 1, parallelism: 1, outputLength: 128),
              tag: "ca25170322b1d5d112b9e5f0a1e019b71911aff00f872e016e38f65fd2af8bd9"
                + "fab5c5147ad3feb66de589abf6dcd4034f3e2f13fbcd31442d32e0eff2c77152"
                + "3975566217eac16a48fda36a08c1e6bf8fef05b17644d6bd534376c2fe967d7f"
                + "2ad239601c947be14e0e24dfdcd24466bb4e45a6411e8f7e9e37b4be72d15ab3"),
    ]

    @Test(arguments: crossChecks)
    func matchesCReference(_ check: CrossCheck) throws {
        let tag = try Argon2id.hash(
            password: check.password, salt: check.salt, secret: check.secret,
            associatedData: check.associatedData, parameters: check.parameters)
        #expect(tag == Self.hex(check.tag))
    }

    /// A 1024-byte tag: H' with 30 chained digests. Its ends and middle are pinned.
    @Test func longTag() throws {
        let tag = try Argon2id.hash(
            password: Self.bytes("password"), salt: Self.bytes("somesalt"),
            parameters: .init(memoryKiB: 512, iterations: 2, parallelism: 1, outputLength: 1024))
        #expect(tag.count == 1024)
        #expect(Array(tag[0..<32]) == Self.hex("c94783d75c474fdeb9e630f2645b48e33afae8249051b91c716430ba575e81da"))
        #expect(Array(tag[480..<544]) == Self.hex(
            "cafdc4c67bffa69e7302acdc723d07438690f897fef143f2b6126df7e7a0babf"
            + "32700de49eb74103291af6c8a5a7a7377ee888d2365b33dddf149099af0decb8"))
        #expect(Array(tag[992..<1024]) == Self.hex("311d4fce909cbd5622b521174af2f2e41d43f7f87412ac97111e134fadac27e8"))
    }
}
