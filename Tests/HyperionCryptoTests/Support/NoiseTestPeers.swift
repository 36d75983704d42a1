@testable import HyperionCrypto

/// Fixed keys for handshake tests, so failures reproduce byte for byte.
enum NoiseTestPeers {
    static func key(_ fill: UInt8) -> X25519SecretKey {
        try! X25519SecretKey(rawBytes: (0..<32).map { fill &+ UInt8($0) })
    }

    static let admin = key(0x10)
    static let stranger = key(0x30)
    static let server = key(0x50)
    static let adminEphemeral = key(0x70)
    static let serverEphemeral = key(0x90)
    static let presharedKey = try! PresharedKey(rawBytes: [UInt8](repeating: 0x42, count: 32))
    static let otherPresharedKey = try! PresharedKey(rawBytes: [UInt8](repeating: 0x43, count: 32))

    static func initiator(
        admin: X25519SecretKey = admin, server: X25519PublicKey = server.publicKey,
        presharedKey: PresharedKey = presharedKey, prologue: [UInt8] = HyperionNoise.prologue
    ) -> NoiseInitiator {
        NoiseInitiator(
            prologue: prologue, localStatic: admin, remoteStatic: server,
            presharedKey: presharedKey, ephemeral: adminEphemeral
        )
    }

    static func responder(
        presharedKey: PresharedKey = presharedKey, prologue: [UInt8] = HyperionNoise.prologue
    ) -> NoiseResponder {
        NoiseResponder(prologue: prologue, localStatic: server, presharedKey: presharedKey, ephemeral: serverEphemeral)
    }

    /// Message 1 and message 2 of a successful handshake between the default peers.
    static func messages() throws -> (message1: [UInt8], message2: [UInt8]) {
        var initiator = initiator()
        var responder = responder()
        let message1 = try initiator.writeMessage1()
        _ = try responder.readMessage1(message1)
        return (message1, try responder.writeMessage2())
    }
}
