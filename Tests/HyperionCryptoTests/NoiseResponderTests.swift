import Testing
@testable import HyperionCrypto

@Suite struct NoiseResponderTests {
    typealias Peers = NoiseTestPeers

    /// The server's side of PROTOCOL.md §3: learn the client's key from message 1, check it
    /// against the allowlist, and answer only a listed admin.
    @Test func unknownClientIsLearnedBeforeAnythingIsSent() throws {
        let allowlist = [Peers.admin.publicKey.rawBytes]
        var stranger = Peers.initiator(admin: Peers.stranger)
        var responder = Peers.responder()
        var sent: [[UInt8]] = []

        let (clientKey, _) = try responder.readMessage1(stranger.writeMessage1())
        #expect(clientKey == Peers.stranger.publicKey)
        if ConstantTime.contains(allowlist, clientKey.rawBytes) {
            sent.append(try responder.writeMessage2())
        }
        #expect(sent.isEmpty)
        // Without message 2 there are no transport keys either.
        expectCryptoError(.handshakeOutOfOrder) { try responder.split() }
    }

    @Test func listedClientIsAnswered() throws {
        let allowlist = [Peers.stranger.publicKey.rawBytes, Peers.admin.publicKey.rawBytes]
        var initiator = Peers.initiator()
        var responder = Peers.responder()
        let (clientKey, _) = try responder.readMessage1(initiator.writeMessage1())
        #expect(ConstantTime.contains(allowlist, clientKey.rawBytes))
        _ = try initiator.readMessage2(responder.writeMessage2())
        var client = try initiator.split()
        var server = try responder.split()
        #expect(try server.receiver.open(client.sender.seal([1, 2, 3])) == [1, 2, 3])
        #expect(try client.receiver.open(server.sender.seal([4, 5])) == [4, 5])
    }

    @Test func everyTamperedByteOfMessage1IsRefused() throws {
        let message1 = try Peers.messages().message1
        #expect(message1.count == HyperionNoise.message1ByteCount)
        for index in message1.indices {
            // 0x80 on byte 31 flips the bit X25519 ignores: the DH is unchanged, but the
            // ephemeral is hashed as sent, so the transcript still differs.
            for flip: UInt8 in [0x01, 0x80] {
                var tampered = message1
                tampered[index] ^= flip
                var responder = Peers.responder()
                expectCryptoError(.handshakeFailed) { try responder.readMessage1(tampered) }
            }
        }
    }

    @Test func clientWithAnotherServerKeyIsRefused() throws {
        var initiator = Peers.initiator(server: Peers.stranger.publicKey)
        var responder = Peers.responder()
        let message1 = try initiator.writeMessage1()
        expectCryptoError(.handshakeFailed) { try responder.readMessage1(message1) }
    }

    @Test func clientWithAnotherPrologueIsRefused() throws {
        var initiator = Peers.initiator(prologue: Array("hyperion-vpn".utf8) + [0x00, 0x02])
        var responder = Peers.responder()
        let message1 = try initiator.writeMessage1()
        expectCryptoError(.handshakeFailed) { try responder.readMessage1(message1) }
    }

    /// The all-zero ephemeral makes DH zero; it must be refused, not crash or be accepted.
    @Test func lowOrderEphemeralIsRefused() throws {
        var message1 = try Peers.messages().message1
        message1.replaceSubrange(0..<32, with: [UInt8](repeating: 0, count: 32))
        var responder = Peers.responder()
        expectCryptoError(.handshakeFailed) { try responder.readMessage1(message1) }
    }

    @Test(arguments: [0, 1, 32, 80, 95, 97, 200, 65_536])
    func truncatedOrExtendedMessage1IsRefused(length: Int) throws {
        let message1 = try Peers.messages().message1
        let resized = length <= message1.count
            ? Array(message1.prefix(length)) : message1 + [UInt8](repeating: 0, count: length - message1.count)
        var responder = Peers.responder()
        expectCryptoError(.handshakeFailed) { try responder.readMessage1(resized) }
    }

    @Test func randomGarbageAsMessage1NeverCrashes() {
        var random = SeededGenerator(seed: 0x4E4F_4953_4531)
        let fresh = Peers.responder()
        for _ in 0..<3000 {
            let length = Bool.random(using: &random) ? 96 : Int.random(in: 0...300, using: &random)
            var responder = fresh
            expectCryptoError(.handshakeFailed) { try responder.readMessage1(random.bytes(length)) }
        }
    }

    @Test func callsOutOfOrderAreRefused() throws {
        let (message1, _) = try Peers.messages()
        var responder = Peers.responder()
        expectCryptoError(.handshakeOutOfOrder) { try responder.writeMessage2() }
        expectCryptoError(.handshakeOutOfOrder) { try Peers.responder().split() }
        _ = try responder.readMessage1(message1)
        expectCryptoError(.handshakeOutOfOrder) { try responder.readMessage1(message1) }
        _ = try responder.writeMessage2()
        expectCryptoError(.handshakeOutOfOrder) { try responder.writeMessage2() }
        expectCryptoError(.handshakeOutOfOrder) { try responder.readMessage1(message1) }
    }

    /// A refused message 1 is final: not even the genuine message 1 is accepted after it.
    @Test func failureLeavesTheHandshakeUnusable() throws {
        let (message1, _) = try Peers.messages()
        var tampered = message1
        tampered[90] ^= 1
        var responder = Peers.responder()
        expectCryptoError(.handshakeFailed) { try responder.readMessage1(tampered) }
        expectCryptoError(.handshakeFailed) { try responder.readMessage1(message1) }
        expectCryptoError(.handshakeFailed) { try responder.writeMessage2() }
        expectCryptoError(.handshakeFailed) { try responder.split() }
        #expect("\(responder)" == "NoiseResponder(failed)")
    }

    /// The responder cannot detect a wrong PSK at message 1; it does at the first frame.
    @Test func wrongPresharedKeyFailsAtFirstFrame() throws {
        var initiator = Peers.initiator()
        var responder = Peers.responder(presharedKey: Peers.otherPresharedKey)
        _ = try responder.readMessage1(initiator.writeMessage1())
        _ = try responder.writeMessage2()
        var server = try responder.split()
        // A client with the right PSK could not finish, so stand in with a forged frame.
        expectCryptoError(.authenticationFailed) { try server.receiver.open([UInt8](repeating: 0, count: 32)) }
    }
}
