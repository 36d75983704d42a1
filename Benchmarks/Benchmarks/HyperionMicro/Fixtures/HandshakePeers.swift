import HyperionCrypto

/// A server and an admin with fresh static keys and one PSK: everything a Noise IKpsk2
/// handshake needs before the first message, built once outside the measured region.
struct HandshakePeers {
    let serverKey = X25519SecretKey.generate()
    let adminKey = X25519SecretKey.generate()
    let presharedKey: PresharedKey
    /// A message 1 to the server, for benchmarks of the server's side alone. A responder
    /// keeps no replay state, so every fresh responder accepts it.
    let message1: [UInt8]

    init() throws {
        presharedKey = try PresharedKey(rawBytes: (0..<32).map { UInt8($0) })
        var initiator = NoiseInitiator(
            prologue: HyperionNoise.prologue, localStatic: adminKey,
            remoteStatic: serverKey.publicKey, presharedKey: presharedKey
        )
        message1 = try initiator.writeMessage1()
    }

    /// One whole handshake in memory, as a client and a server run it over a connection:
    /// both sides draw their ephemeral, message 1 goes one way, message 2 the other, and
    /// both split into transport keys.
    func handshake() throws -> (client: NoiseTransport, server: NoiseTransport) {
        var initiator = NoiseInitiator(
            prologue: HyperionNoise.prologue, localStatic: adminKey,
            remoteStatic: serverKey.publicKey, presharedKey: presharedKey
        )
        var responder = NoiseResponder(prologue: HyperionNoise.prologue, localStatic: serverKey, presharedKey: presharedKey)
        let message1 = try initiator.writeMessage1()
        _ = try responder.readMessage1(message1)
        let message2 = try responder.writeMessage2()
        _ = try initiator.readMessage2(message2)
        return (try initiator.split(), try responder.split())
    }

    /// The server's share of a handshake: a fresh ephemeral, message 1 read (`es`, `ss`),
    /// message 2 written (`ee`, `se`), transport keys split. Returns message 2's length.
    func respond() throws -> Int {
        var responder = NoiseResponder(prologue: HyperionNoise.prologue, localStatic: serverKey, presharedKey: presharedKey)
        _ = try responder.readMessage1(message1)
        let message2 = try responder.writeMessage2()
        _ = try responder.split()
        return message2.count
    }
}
