import HyperionCrypto
import HyperionWire
import NIOCore
import Testing
@testable import HyperionTunnel

@Suite struct HandshakeDriverTests {
    let serverKey = X25519SecretKey.generate()
    let adminKey = X25519SecretKey.generate()
    let psk = try! PresharedKey(rawBytes: [UInt8](repeating: 3, count: 32))

    @Test func completesBothWaysAndKeepsLeftoverBytes() throws {
        var client = InitiatorHandshake(adminKey: adminKey, serverKey: serverKey.publicKey, presharedKey: psk)
        var server = ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: [X25519SecretKey.generate().publicKey, adminKey.publicKey])
        var toServer = try #require(try client.start())
        #expect(toServer.readableBytes == 98)
        #expect(try server.start() == nil)

        // Message 1 arrives in two pieces.
        var firstPiece = toServer.readSlice(length: 40)!
        guard case .waiting = try server.receive(&firstPiece) else { Issue.record("expected to wait"); return }
        firstPiece.writeBuffer(&toServer)
        guard case let .complete(reply?, _, peer) = try server.receive(&firstPiece) else { Issue.record("expected completion"); return }
        #expect(peer == adminKey.publicKey)
        #expect(reply.readableBytes == 50)

        var toClient = reply
        toClient.writeBytes([0xAA, 0xBB])  // bytes after message 2 belong to the transport
        guard case let .complete(nil, _, serverPeer) = try client.receive(&toClient) else { Issue.record("expected completion"); return }
        #expect(serverPeer == serverKey.publicKey)
        #expect(Array(toClient.readableBytesView) == [0xAA, 0xBB])
    }

    @Test func replayedMessage1IsDroppedBeforeAnyReply() throws {
        let replays = ReplayGuard()
        var client = InitiatorHandshake(adminKey: adminKey, serverKey: serverKey.publicKey, presharedKey: psk)
        let message = try #require(try client.start())
        var first = ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: [adminKey.publicKey], replays: replays)
        var original = message
        guard case .complete = try first.receive(&original) else { Issue.record("the original completes"); return }
        for _ in 0..<3 {
            var server = ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: [adminKey.publicKey], replays: replays)
            var copy = message
            guard case .refuse(.replayed, _) = try server.receive(&copy) else { Issue.record("expected the replay to be dropped"); return }
        }
        // A fresh handshake by the same admin is a new ephemeral key: accepted.
        var again = InitiatorHandshake(adminKey: adminKey, serverKey: serverKey.publicKey, presharedKey: psk)
        var fresh = try #require(try again.start())
        var server = ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: [adminKey.publicKey], replays: replays)
        guard case .complete = try server.receive(&fresh) else { Issue.record("a new handshake completes"); return }
    }

    @Test func messagesThatFailAreNotRemembered() throws {
        // Only verified message 1s enter the cache: junk (or a message for an unknown admin)
        // cannot fill it, and a later genuine message with the same first 32 bytes (which
        // cannot happen by chance, but could be forged) is still verified, not dropped.
        let replays = ReplayGuard()
        var client = InitiatorHandshake(adminKey: adminKey, serverKey: serverKey.publicKey, presharedKey: psk)
        let message = try #require(try client.start())
        var forged = ByteBuffer()
        try HandshakeFrame.write(Array(message.getBytes(at: 2, length: 32)!) + [UInt8](repeating: 7, count: 64), into: &forged)
        var junkServer = ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: [adminKey.publicKey], replays: replays)
        guard case .refuse(.handshakeFailed, _) = try junkServer.receive(&forged) else { Issue.record("junk is refused"); return }
        var unknown = ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: [X25519SecretKey.generate().publicKey], replays: replays)
        var copy = message
        guard case .refuse(.unknownAdmin, _) = try unknown.receive(&copy) else { Issue.record("unknown admin is refused"); return }
        var server = ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: [adminKey.publicKey], replays: replays)
        var genuine = message
        guard case .complete = try server.receive(&genuine) else { Issue.record("the genuine message still completes"); return }
    }

    @Test func unknownAdminIsRefusedBeforeAnyReply() throws {
        var client = InitiatorHandshake(adminKey: adminKey, serverKey: serverKey.publicKey, presharedKey: psk)
        var server = ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: [X25519SecretKey.generate().publicKey])
        var message = try #require(try client.start())
        guard case let .refuse(.unknownAdmin, reason) = try server.receive(&message) else { Issue.record("expected a refusal"); return }
        #expect(reason.contains(adminKey.publicKey.base64))
    }

    @Test func wrongServerKeyIsRefusedWithoutAReply() throws {
        var client = InitiatorHandshake(adminKey: adminKey, serverKey: X25519SecretKey.generate().publicKey, presharedKey: psk)
        var server = ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: [adminKey.publicKey])
        var message = try #require(try client.start())
        guard case .refuse(.handshakeFailed, _) = try server.receive(&message) else { Issue.record("expected a refusal"); return }
    }

    @Test func wrongPSKFailsAtTheClient() throws {
        var client = InitiatorHandshake(adminKey: adminKey, serverKey: serverKey.publicKey, presharedKey: try PresharedKey(rawBytes: [UInt8](repeating: 4, count: 32)))
        var server = ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: [adminKey.publicKey])
        var message = try #require(try client.start())
        guard case var .complete(reply?, _, _) = try server.receive(&message) else { Issue.record("the server cannot see a PSK mismatch in message 1"); return }
        #expect {
            _ = try client.receive(&reply)
        } throws: { ($0 as? TunnelError)?.kind == .handshakeFailed }
    }

    @Test func oversizedLengthPrefixIsAnError() throws {
        var server = ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: [adminKey.publicKey])
        var junk = ByteBuffer(bytes: [0xFF, 0xFF, 1, 2, 3])
        #expect(throws: (any Error).self) { _ = try server.receive(&junk) }
    }
}
