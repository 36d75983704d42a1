import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTestSupport

/// The socket options of the real processes, read from outside with getsockopt on
/// duplicates of their descriptors (pidfd_getfd), while a relayed connection is open.
///
/// TCP_NODELAY must be on every socket that carries relayed bytes, in both processes: the
/// tunnel connections, the client's accepted local connection, the server's dial to the
/// service. SO_DEBUG must be on none: `.socketOption(.tcp_nodelay)` once set SO_DEBUG
/// (option 1 at SOL_SOCKET) instead of TCP_NODELAY, which as root left Nagle on and as
/// any other user failed outright (issue 15).
@Suite(.serialized) struct SocketOptionTests {
    let group = MultiThreadedEventLoopGroup.singleton

    @Test func tcpNoDelayOnEveryRelaySocketAndSODebugOnNone() async throws {
        try await TunnelFixture.with("sockopts") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let servicePort = echo.localAddress!.port!
            let tunnelPort = try TunnelFixture.freePort()
            let localPort = try TunnelFixture.freePort()
            let server = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [servicePort]))
            let client = try await fixture.startClient(config: fixture.clientConfig(
                servers: [("srvA", tunnelPort)], forwards: [.init(localPort: localPort, server: "srvA", remotePort: servicePort)], poolSize: 2
            ))
            try expectTestUser(server)
            try expectTestUser(client)

            // One relayed connection, open while the sockets are read: bytes went through and
            // came back, so the local socket, both stream ends and the service dial exist.
            let held = try await HeldConnection.open(port: localPort, group: group)
            try await held.send(Array("ping".utf8))
            let relayed = try await eventually(timeout: .seconds(10)) { try await held.receivedCount == 4 }
            try #require(relayed, "the held connection's bytes did not come back")
            // Both pool connections up, so every tunnel socket is looked at.
            _ = try await eventually(timeout: .seconds(10)) {
                try ProcessInspection.tcpSockets(of: client.pid).filter { $0.peerPort == tunnelPort }.count == 2
            }

            let clientSockets = try ProcessInspection.tcpSockets(of: client.pid)
            let serverSockets = try ProcessInspection.tcpSockets(of: server.pid)
            let clientTunnels = clientSockets.filter { $0.peerPort == tunnelPort }
            let localConnections = clientSockets.filter { $0.localPort == localPort && !$0.listening }
            let serverTunnels = serverSockets.filter { $0.localPort == tunnelPort && !$0.listening }
            let serviceDials = serverSockets.filter { $0.peerPort == servicePort }
            let listing = "client:\n" + clientSockets.map(\.description).joined(separator: "\n")
                + "\nserver:\n" + serverSockets.map(\.description).joined(separator: "\n")

            #expect(clientTunnels.count == 2, "the client's tunnel sockets (pool_size 2)\n\(listing)")
            #expect(serverTunnels.count == 2, "the server's tunnel sockets\n\(listing)")
            #expect(localConnections.count == 1, "the client's accepted local connection\n\(listing)")
            #expect(serviceDials.count == 1, "the server's dial to the service\n\(listing)")
            for (what, sockets) in [
                ("client tunnel", clientTunnels), ("server tunnel", serverTunnels),
                ("client local connection", localConnections), ("server service dial", serviceDials),
            ] {
                for socket in sockets {
                    #expect(socket.noDelay, "TCP_NODELAY is off on the \(what) socket \(socket)\n\(listing)")
                }
            }
            // Issue 16: the kernel gives a dead path up when the session does (the ping
            // timeout, 15 s by default), not after minutes of retransmissions.
            for socket in clientTunnels + serverTunnels {
                #expect(socket.userTimeout == 15_000, "TCP_USER_TIMEOUT on the tunnel socket \(socket)")
            }
            // Issue 16, the blackhole row: retransmissions at least once a second, so that a
            // path that returns after a silent outage is heard within about a second. Older
            // kernels lack the option, and the connections go ahead without it.
            if ProcessInspection.kernelHasRetransmissionTimeoutMax {
                for socket in clientTunnels + serverTunnels {
                    #expect(socket.retransmissionTimeoutMax == 1000, "TCP_RTO_MAX_MS on the tunnel socket \(socket)")
                }
            }
            let debugging = (clientSockets + serverSockets).filter(\.debug)
            #expect(debugging.isEmpty, "SO_DEBUG is set on \(debugging)\n\(listing)")

            let result = try await held.finish()
            #expect(result.received == Array("ping".utf8))
            try await echo.close()
        }
    }
}
