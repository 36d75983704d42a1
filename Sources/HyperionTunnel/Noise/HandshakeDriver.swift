import HyperionCrypto
import HyperionWire
import NIOCore

/// What one side of the tunnel handshake (PROTOCOL.md §3) wants done next.
enum HandshakeStep {
    /// Not enough bytes yet.
    case waiting
    /// Send `reply` (if any); the handshake is complete and `transport` carries the rest.
    case complete(reply: ByteBuffer?, transport: NoiseTransport, peer: X25519PublicKey)
    /// Close without answering; the peer learns nothing. `kind` is counted in the server's
    /// refusal summary, `reason` goes to the debug log.
    case refuse(ConnectionRefusal, reason: String)
}

/// One side of the handshake as a pure state machine: framed bytes in, steps out.
/// The NIO handler around it only moves bytes and runs the timeout.
protocol HandshakeDriver {
    /// The first message to send on connect, if this side speaks first.
    mutating func start() throws -> ByteBuffer?
    /// Consumes what it can from `buffer`; bytes after the handshake stay in `buffer`.
    mutating func receive(_ buffer: inout ByteBuffer) throws -> HandshakeStep
}

/// The client's side: sends message 1, reads message 2.
struct InitiatorHandshake: HandshakeDriver {
    private var initiator: NoiseInitiator
    private let serverKey: X25519PublicKey

    init(adminKey: X25519SecretKey, serverKey: X25519PublicKey, presharedKey: PresharedKey) {
        self.serverKey = serverKey
        self.initiator = NoiseInitiator(
            prologue: HyperionNoise.prologue, localStatic: adminKey, remoteStatic: serverKey, presharedKey: presharedKey
        )
    }

    mutating func start() throws -> ByteBuffer? {
        var out = ByteBuffer()
        try HandshakeFrame.write(try initiator.writeMessage1(), into: &out)
        return out
    }

    mutating func receive(_ buffer: inout ByteBuffer) throws -> HandshakeStep {
        guard let message = try HandshakeFrame.read(from: &buffer) else { return .waiting }
        do {
            _ = try initiator.readMessage2(message)
        } catch {
            throw TunnelError(
                .handshakeFailed,
                "the server answered but its reply did not decrypt: the shared key (PSK) differs from the server's"
            )
        }
        return .complete(reply: nil, transport: try initiator.split(), peer: serverKey)
    }
}

/// The server's side: reads message 1, checks the admin allowlist before answering, then
/// sends message 2. An unknown admin or an undecryptable message gets no answer at all,
/// and neither does a replay of a recent message 1 (`ReplayGuard`).
///
/// Completing does not make the client an admin: message 1 can be replayed by anyone who
/// saw it. The server counts the connection as an admin's only once a transport frame from
/// the client decrypts (`TunnelServer`).
struct ResponderHandshake: HandshakeDriver {
    private var responder: NoiseResponder
    private let allowlist: [[UInt8]]
    private let replays: ReplayGuard

    init(serverKey: X25519SecretKey, presharedKey: PresharedKey, allowlist: [X25519PublicKey], replays: ReplayGuard = ReplayGuard()) {
        self.responder = NoiseResponder(prologue: HyperionNoise.prologue, localStatic: serverKey, presharedKey: presharedKey)
        self.allowlist = allowlist.map(\.rawBytes)
        self.replays = replays
    }

    static let replayReason = "message 1 repeats a recent one (a replay); dropped before any DH"

    mutating func start() throws -> ByteBuffer? { nil }

    mutating func receive(_ buffer: inout ByteBuffer) throws -> HandshakeStep {
        guard let message = try HandshakeFrame.read(from: &buffer) else { return .waiting }
        if replays.isReplay(message1: message) { return .refuse(.replayed, reason: Self.replayReason) }
        let admin: X25519PublicKey
        do {
            admin = try responder.readMessage1(message).remoteStatic
        } catch {
            return .refuse(.handshakeFailed, reason: "message 1 did not decrypt (the client holds a wrong server_pubkey, or is not a Hyperion client)")
        }
        guard ConstantTime.contains(allowlist, admin.rawBytes) else {
            return .refuse(.unknownAdmin, reason: "admin key \(admin.base64) is not in identity.admin_pubkeys")
        }
        // Remembered only now, so that no one without an admin key can fill the cache.
        guard replays.remember(message1: message) else { return .refuse(.replayed, reason: Self.replayReason) }
        var reply = ByteBuffer()
        try HandshakeFrame.write(try responder.writeMessage2(), into: &reply)
        return .complete(reply: reply, transport: try responder.split(), peer: admin)
    }
}
