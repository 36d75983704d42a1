import HyperionCrypto
import Testing
@testable import HyperionWire

@Suite struct KnockTests {
    let vectors: VectorFile
    let key: KnockKey
    let serverKey: X25519SecretKey
    let packet: [UInt8]
    let unixTime: UInt64

    init() throws {
        vectors = try VectorFile(named: "hyperion-v1")
        key = KnockKey(presharedKey: try PresharedKey(rawBytes: vectors.hex("psk_hex")))
        serverKey = try X25519SecretKey(rawBytes: vectors.hex("server_secret_hex"))
        packet = try vectors.hex("knock_packet_hex")
        unixTime = try #require(UInt64(vectors["unix_time"]))
    }

    func verifier(at time: UInt64, capacity: Int = KnockReplayGuard.defaultCapacity) -> KnockVerifier {
        KnockVerifier(key: key, serverPublicKey: serverKey.publicKey, windowSeconds: 30, replayCapacity: capacity, clock: .fixed(time))
    }

    @Test func reproducesTheV1Vectors() throws {
        #expect(key.rawBytes == (try vectors.hex("knock_key_hex")))
        #expect(serverKey.publicKey.base64 == (try vectors["server_public_base64"]))
        let sealed = try KnockPacket.seal(
            key: key, serverPublicKey: serverKey.publicKey, nonce: try vectors.hex("nonce_hex"),
            unixTime: unixTime, tunnelPort: try #require(UInt16(vectors["tunnel_port"]))
        )
        #expect(sealed.count == 44)
        #expect(sealed == packet)
        var verifier = verifier(at: unixTime)
        let contents = try verifier.verify(packet).get()
        #expect(contents.version == 1 && contents.unixTime == unixTime && contents.tunnelPort == 8443)
    }

    @Test func refusesAKnockForAnotherServer() {
        var other = KnockVerifier(key: key, serverPublicKey: X25519SecretKey.generate().publicKey, clock: .fixed(unixTime))
        #expect(other.verify(packet) == .failure(.authenticationFailed))
    }

    @Test func refusesAWrongPSK() throws {
        let wrongKey = KnockKey(presharedKey: try PresharedKey(rawBytes: [UInt8](repeating: 0xEE, count: 32)))
        var wrong = KnockVerifier(key: wrongKey, serverPublicKey: serverKey.publicKey, clock: .fixed(unixTime))
        #expect(wrong.verify(packet) == .failure(.authenticationFailed))
    }

    @Test func freshnessWindowIsInclusiveAndBothWays() {
        var atEdge = verifier(at: unixTime + 30)
        #expect((try? atEdge.verify(packet).get()) != nil)
        var stale = verifier(at: unixTime + 31)
        #expect(stale.verify(packet) == .failure(.stale))
        var early = verifier(at: unixTime - 30)
        #expect((try? early.verify(packet).get()) != nil)
        var future = verifier(at: unixTime - 31)
        #expect(future.verify(packet) == .failure(.fromTheFuture))
    }

    @Test func refusesAReplay() {
        var verifier = verifier(at: unixTime)
        #expect((try? verifier.verify(packet).get()) != nil)
        #expect(verifier.verify(packet) == .failure(.replayed))
    }

    @Test func refusesWrongLengthBadMagicAndTampering() {
        var verifier = verifier(at: unixTime)
        #expect(verifier.verify(packet.dropLast()) == .failure(.wrongLength))
        #expect(verifier.verify(packet + [0]) == .failure(.wrongLength))
        #expect(verifier.verify([]) == .failure(.wrongLength))
        var badMagic = packet
        badMagic[0] = UInt8(ascii: "X")
        #expect(verifier.verify(badMagic) == .failure(.badMagic))
        for index in 4..<44 {
            var tampered = packet
            tampered[index] ^= 0x80
            #expect(verifier.verify(tampered) == .failure(.authenticationFailed), "byte \(index) flipped")
        }
        #expect((try? verifier.verify(packet).get()) != nil, "failed attempts must not burn the nonce")
    }

    @Test func refusesAnotherVersion() throws {
        var verifier = verifier(at: unixTime)
        #expect(verifier.verify(try sealVersion(2)) == .failure(.unsupportedVersion))
        #expect(verifier.verify(try sealVersion(0)) == .failure(.unsupportedVersion))
    }

    func sealVersion(_ version: UInt16) throws -> [UInt8] {
        // KnockPacket.seal always writes version 1; build the plaintext the same way.
        var plaintext = [UInt8]()
        KnockPacket.appendBigEndian(version, to: &plaintext)
        KnockPacket.appendBigEndian(unixTime, to: &plaintext)
        KnockPacket.appendBigEndian(UInt16(8443), to: &plaintext)
        return try KnockPacket.sealRaw(plaintext: plaintext, key: key, serverPublicKey: serverKey.publicKey, nonce: [UInt8](repeating: 2, count: 12))
    }

    @Test func fullReplayCacheFailsClosedUntilEntriesAgeOut() throws {
        // A clock the test can move: a reference box read by the closure.
        let box = ClockBox(unixTime)
        var verifier = KnockVerifier(key: key, serverPublicKey: serverKey.publicKey, windowSeconds: 30, replayCapacity: 8, clock: UnixClock { box.value })
        for _ in 0..<8 {
            let knock = try KnockPacket.seal(key: key, serverPublicKey: serverKey.publicKey, unixTime: box.value, tunnelPort: 8443)
            #expect((try? verifier.verify(knock).get()) != nil)
        }
        let ninth = try KnockPacket.seal(key: key, serverPublicKey: serverKey.publicKey, unixTime: box.value, tunnelPort: 8443)
        #expect(verifier.verify(ninth) == .failure(.replayCacheFull))
        box.value += 20
        let tenth = try KnockPacket.seal(key: key, serverPublicKey: serverKey.publicKey, unixTime: box.value, tunnelPort: 8443)
        #expect(verifier.verify(tenth) == .failure(.replayCacheFull), "entries still fresh: still full")
        box.value += 11
        let later = try KnockPacket.seal(key: key, serverPublicKey: serverKey.publicKey, unixTime: box.value, tunnelPort: 8443)
        #expect((try? verifier.verify(later).get()) != nil, "after the window the old nonces age out")
    }

    @Test func randomDatagramsAreNeverAccepted() {
        var verifier = verifier(at: unixTime)
        var rng = SeededGenerator(seed: 5)
        for round in 0..<5000 {
            var datagram = rng.bytes(round % 3 == 0 ? 44 : Int.random(in: 0...100, using: &rng))
            if round % 2 == 0, datagram.count >= 4 { datagram.replaceSubrange(0..<4, with: KnockPacket.magic) }
            #expect((try? verifier.verify(datagram).get()) == nil)
        }
    }
}

final class ClockBox: @unchecked Sendable {
    // Only the test's own thread reads and writes it.
    var value: UInt64
    init(_ value: UInt64) { self.value = value }
}
