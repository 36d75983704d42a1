import Testing
@testable import HyperionCrypto

@Suite struct HyperionNoiseTests {
    @Test func prologueIsNameThenVersion1() {
        #expect(HyperionNoise.prologue == [0x68, 0x79, 0x70, 0x65, 0x72, 0x69, 0x6F, 0x6E, 0x2D, 0x76, 0x70, 0x6E, 0x00, 0x01])
        #expect(HyperionNoise.prologue.count == 14)
    }

    /// PROTOCOL.md §3 with fresh random keys, as the programs run it: empty payloads,
    /// 96- and 48-byte messages, then frames both ways with independent nonces.
    @Test func handshakeWithRandomKeysAndEmptyPayloads() throws {
        let server = X25519SecretKey.generate()
        let admin = X25519SecretKey.generate()
        let psk = try PresharedKey(rawBytes: (0..<32).map { _ in UInt8.random(in: 0...255) })
        var initiator = NoiseInitiator(
            prologue: HyperionNoise.prologue, localStatic: admin, remoteStatic: server.publicKey, presharedKey: psk
        )
        var responder = NoiseResponder(prologue: HyperionNoise.prologue, localStatic: server, presharedKey: psk)

        let message1 = try initiator.writeMessage1()
        #expect(message1.count == HyperionNoise.message1ByteCount)
        let (clientKey, payload1) = try responder.readMessage1(message1)
        #expect(clientKey == admin.publicKey)
        #expect(payload1.isEmpty)
        let message2 = try responder.writeMessage2()
        #expect(message2.count == HyperionNoise.message2ByteCount)
        #expect(try initiator.readMessage2(message2).isEmpty)

        var client = try initiator.split()
        var serverSide = try responder.split()
        for round in 0..<3 {
            let up = Array("up \(round)".utf8)
            let down = Array("down \(round)".utf8)
            #expect(try serverSide.receiver.open(client.sender.seal(up)) == up)
            #expect(try client.receiver.open(serverSide.sender.seal(down)) == down)
        }
        #expect(client.sender.nonce == 3 && client.receiver.nonce == 3)
        // The directions use different keys: a frame cannot be reflected back to its sender.
        let reflected = try client.sender.seal([1])
        expectCryptoError(.authenticationFailed) { try client.receiver.open(reflected) }
        #expect("\(client)".contains("redacted"))
    }
}
