import Crypto
import HyperionCrypto

/// What a knock says, once opened.
public struct KnockContents: Hashable, Sendable {
    public var version: UInt16
    public var unixTime: UInt64
    public var tunnelPort: UInt16
    /// The 12 random bytes that make each knock unique; the replay guard remembers them.
    public var nonce: [UInt8]
}

/// Why a knock was refused. The SPA sniffer counts these per reason instead of logging
/// every junk datagram.
public enum KnockRejection: String, Error, Hashable, Sendable, CaseIterable {
    case wrongLength = "wrong length"
    case badMagic = "bad magic"
    /// Wrong PSK, sealed for another server, or tampered: indistinguishable by design.
    case authenticationFailed = "authentication failed"
    case unsupportedVersion = "unsupported version"
    case stale = "stale"
    case fromTheFuture = "from the future"
    case replayed = "replayed"
    case replayCacheFull = "replay cache full"
}

/// The 44-byte knock datagram (PROTOCOL.md §7):
/// `"HVPK" || nonce (12) || ChaCha20-Poly1305(K, nonce, version u16 || time u64 || port u16, ad)`
/// with `ad = "HVPK" || the target server's static public key`.
public enum KnockPacket {
    public static let magic: [UInt8] = Array("HVPK".utf8)
    public static let nonceLength = 12
    public static let plaintextLength = 12
    public static let size = 4 + nonceLength + plaintextLength + 16
    public static let version: UInt16 = 1

    /// Seals a knock for the server whose static public key is `serverPublicKey`.
    public static func seal(
        key: KnockKey, serverPublicKey: X25519PublicKey, nonce: [UInt8], unixTime: UInt64, tunnelPort: UInt16
    ) throws -> [UInt8] {
        precondition(nonce.count == nonceLength, "a knock nonce is 12 bytes")
        var plaintext = [UInt8]()
        plaintext.reserveCapacity(plaintextLength)
        appendBigEndian(version, to: &plaintext)
        appendBigEndian(unixTime, to: &plaintext)
        appendBigEndian(tunnelPort, to: &plaintext)
        return try sealRaw(plaintext: plaintext, key: key, serverPublicKey: serverPublicKey, nonce: nonce)
    }

    /// Seals an arbitrary plaintext; tests use it to build knocks `seal` never would.
    static func sealRaw(plaintext: [UInt8], key: KnockKey, serverPublicKey: X25519PublicKey, nonce: [UInt8]) throws -> [UInt8] {
        let box = try ChaChaPoly.seal(
            plaintext, using: SymmetricKey(data: key.rawBytes), nonce: ChaChaPoly.Nonce(data: nonce),
            authenticating: associatedData(serverPublicKey)
        )
        return magic + nonce + Array(box.ciphertext) + Array(box.tag)
    }

    /// A knock with a fresh random nonce for the current time.
    public static func seal(key: KnockKey, serverPublicKey: X25519PublicKey, unixTime: UInt64, tunnelPort: UInt16) throws -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let nonce = (0..<nonceLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return try seal(key: key, serverPublicKey: serverPublicKey, nonce: nonce, unixTime: unixTime, tunnelPort: tunnelPort)
    }

    /// Checks length, magic and tag and returns the contents. Freshness and replay are the
    /// verifier's job; the version is returned as sent.
    public static func open(_ datagram: some Collection<UInt8>, key: KnockKey, serverPublicKey: X25519PublicKey) throws(KnockRejection) -> KnockContents {
        guard datagram.count == size else { throw .wrongLength }
        let bytes = Array(datagram)
        guard bytes[0..<4].elementsEqual(magic) else { throw .badMagic }
        let nonce = Array(bytes[4..<16])
        let plaintext: [UInt8]
        do {
            let box = try ChaChaPoly.SealedBox(
                nonce: ChaChaPoly.Nonce(data: nonce), ciphertext: bytes[16..<28], tag: bytes[28..<44]
            )
            plaintext = Array(try ChaChaPoly.open(box, using: SymmetricKey(data: key.rawBytes), authenticating: associatedData(serverPublicKey)))
        } catch {
            throw .authenticationFailed
        }
        guard plaintext.count == plaintextLength else { throw .authenticationFailed }
        return KnockContents(
            version: readBigEndian(plaintext[0..<2]),
            unixTime: readBigEndian(plaintext[2..<10]),
            tunnelPort: readBigEndian(plaintext[10..<12]),
            nonce: nonce
        )
    }

    static func associatedData(_ serverPublicKey: X25519PublicKey) -> [UInt8] {
        magic + serverPublicKey.rawBytes
    }

    static func appendBigEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    static func readBigEndian<T: FixedWidthInteger>(_ bytes: ArraySlice<UInt8>) -> T {
        bytes.reduce(T.zero) { ($0 << 8) | T($1) }
    }
}
