import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTestSupport

/// How streams end, with real processes: a clean end stays a FIN, every abnormal end is a
/// reset at every socket the stream touched, and every failure before relaying reaches
/// the local application as a reset.
@Suite(.serialized) struct ResetProcessTests {
    let group = MultiThreadedEventLoopGroup.singleton
    /// Far more than any test transfers before it ends the tunnel under the transfer.
    static let endless = 2_000_000_000

    /// Issue 15, defect 3: killing the tunnel's TCP connections gave the local reader a
    /// clean EOF after part of a download, and the service a FIN.
    @Test func aTunnelKilledMidTransferResetsTheReaderTheWriterAndTheServices() async throws {
        guard TestEnvironment.require(TestEnvironment.isRoot, "root (ss -K destroys the tunnel's TCP connections)"),
            let ss = TestEnvironment.which("ss")
        else { return }
        try await TunnelFixture.with("kill") { fixture in
            let download = try await TransferService.start(sendLimit: Self.endless, group: group)
            let upload = try await TransferService.start(sendLimit: 0, group: group)
            let echo = try await LoopbackService.echo(group: group)
            let tunnelPort = try TunnelFixture.freePort()
            let downloadLocal = try TunnelFixture.freePort()
            let uploadLocal = try TunnelFixture.freePort()
            let echoLocal = try TunnelFixture.freePort()
            let echoPort = echo.localAddress!.port!
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [download.port, upload.port, echoPort]))
            let client = try await fixture.startClient(config: fixture.clientConfig(
                servers: [("srvA", tunnelPort)],
                forwards: [
                    .init(localPort: downloadLocal, server: "srvA", remotePort: download.port),
                    .init(localPort: uploadLocal, server: "srvA", remotePort: upload.port),
                    .init(localPort: echoLocal, server: "srvA", remotePort: echoPort),
                ]
            ), forwards: 3)

            let (_, reader) = try await TransferService.connect(port: downloadLocal, sendLimit: 0, group: group)
            let (_, writer) = try await TransferService.connect(port: uploadLocal, sendLimit: Self.endless, group: group)
            let flowing = try await eventually(timeout: .seconds(10), every: .milliseconds(20)) {
                reader.received >= 4 << 20 && (upload.connections.first?.received ?? 0) >= 4 << 20
            }
            #expect(flowing, "both transfers under way (download \(reader.received), upload \(upload.connections.first?.received ?? 0))")

            // As root: destroying another user's sockets needs CAP_NET_ADMIN.
            let killed = try await runCommand(
                ss, ["-K", "-t", "state", "established", "( sport = :\(tunnelPort) or dport = :\(tunnelPort) )"], as: .runner
            )
            #expect(killed.status == 0, "ss -K: \(killed.output)")
            try await client.waitForOutput("tunnel connection closed")

            let ends: [(String, TransferEnd?)] = [
                ("the local reader", reader), ("the local writer", writer),
                ("the download's service", download.connections.first), ("the upload's service", upload.connections.first),
            ]
            for (who, end) in ends {
                guard let end else {
                    Issue.record("\(who): no connection")
                    continue
                }
                let seen = try await withTimeout(.seconds(10), who) { try await end.endFuture.get() }
                #expect(seen.isReset, "\(who) saw \(seen) after \(end.received) bytes in, \(end.sent) out; a cut stream must never end cleanly")
            }
            #expect(reader.received < Self.endless)

            // The pool heals: a new local connection works at once.
            let payload = [UInt8].random(count: 100_000)
            let result = try await StreamProbe.exchange(port: echoLocal, payload: payload, group: group, timeout: .seconds(10))
            #expect(sameBytes(result.received, payload) && result.cleanEOF)
            try await download.channel.close()
            try await upload.channel.close()
            try await echo.close()
        }
    }

    /// A local application that resets its connection resets the service's connection too
    /// (yamux RST, then SO_LINGER 0 on the server), even after the service had finished
    /// sending: before, the service saw a FIN, as if the client had finished cleanly.
    @Test func aLocalResetReachesTheServiceAsAReset() async throws {
        try await TunnelFixture.with("localreset") { fixture in
            let upload = try await TransferService.start(sendLimit: 0, group: group)
            let (localPort, _, _) = try await fixture.startForward(to: upload.port)
            let (channel, writer) = try await TransferService.connect(port: localPort, sendLimit: 1 << 20, group: group)
            let arrived = try await eventually(timeout: .seconds(10), every: .milliseconds(20)) {
                (upload.connections.first?.received ?? 0) == 1 << 20
            }
            #expect(arrived, "the upload arrived (\(upload.connections.first?.received ?? 0) bytes)")
            // An abortive close: SO_LINGER 0 makes close() send RST.
            try await channel.eventLoop.submit {
                _ = (channel as! SocketOptionProvider).setSoLinger(linger(l_onoff: 1, l_linger: 0))
                channel.close(promise: nil)
            }.get()
            _ = writer
            guard let service = upload.connections.first else {
                Issue.record("the service saw no connection")
                return
            }
            let seen = try await withTimeout(.seconds(10), "the service's end") { try await service.endFuture.get() }
            #expect(seen.isReset, "the service saw \(seen)")
            try await upload.channel.close()
        }
    }

    /// Every failure before relaying (denied, unreachable, no tunnel) reaches the local
    /// application as a reset, with exactly one log line saying why.
    @Test func failuresBeforeRelayingAreResetsWithOneLogLineEach() async throws {
        try await TunnelFixture.with("prerelay") { fixture in
            let tunnelPort = try TunnelFixture.freePort()
            let deadTunnelPort = try TunnelFixture.freePort()
            let allowedButClosed = try TunnelFixture.freePort()
            let notAllowed = try TunnelFixture.freePort()
            let locals = try (0..<3).map { _ in try TunnelFixture.freePort() }
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [allowedButClosed]))
            let client = try await fixture.startClient(config: fixture.clientConfig(
                servers: [("srvA", tunnelPort), ("srvDown", deadTunnelPort)],
                forwards: [
                    .init(localPort: locals[0], server: "srvA", remotePort: notAllowed),
                    .init(localPort: locals[1], server: "srvA", remotePort: allowedButClosed),
                    .init(localPort: locals[2], server: "srvDown", remotePort: 22),
                ],
                extra: "[limits]\nstream_wait_ms = 500"
            ), forwards: 3)

            let cases = [
                (locals[0], "the server denied port \(notAllowed)"),
                (locals[1], "could not reach 127.0.0.1:\(allowedButClosed)"),
                (locals[2], "no live tunnel to server srvDown"),
            ]
            for (port, reason) in cases {
                let result = try await StreamProbe.exchange(port: port, payload: [1, 2, 3], group: group, timeout: .seconds(10))
                #expect(result.received.isEmpty)
                #expect(!result.cleanEOF, "\(reason): the local application must see a reset, not an EOF")
                try await client.waitForOutput(reason)
                #expect(client.output.occurrences(of: reason) == 1, "one log line for \(reason)")
            }
        }
    }

    /// Issue 15, defect 4: with a server limit of 4 streams per connection and 2 pool
    /// connections, 300 concurrent local connections left 130 hanging forever in CLOSE-WAIT.
    /// Each must now be served or reset at once, and nothing may stay behind.
    @Test func streamsBeyondTheServersLimitAreResetAndLeaveNothingBehind() async throws {
        try await TunnelFixture.with("limit") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let echoPort = echo.localAddress!.port!
            let tunnelPort = try TunnelFixture.freePort()
            let localPort = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(
                port: tunnelPort, allow: [echoPort], extra: "[limits]\nmax_streams_per_connection = 4"
            ))
            let client = try await fixture.startClient(config: fixture.clientConfig(
                servers: [("srvA", tunnelPort)], forwards: [.init(localPort: localPort, server: "srvA", remotePort: echoPort)], poolSize: 2
            ))
            let payload = [UInt8].random(count: 1000)
            // Both pool connections up, and a baseline taken after a first stream.
            let first = try await StreamProbe.exchange(port: localPort, payload: payload, group: group, timeout: .seconds(10))
            #expect(sameBytes(first.received, payload) && first.cleanEOF)
            _ = try await client.waitForOutput("tunnel up", count: 2)
            let descriptorsBefore = try openDescriptors(of: client.pid)

            let outcomes = try await withThrowingTaskGroup(of: (served: Bool, seconds: Double).self) { tasks in
                for _ in 0..<300 {
                    tasks.addTask {
                        let start = ContinuousClock.now
                        let result = try await StreamProbe.exchange(port: localPort, payload: payload, group: group, timeout: .seconds(10))
                        let elapsed = (ContinuousClock.now - start).components
                        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
                        let served = result.cleanEOF && result.received == payload
                        #expect(served || !result.cleanEOF, "served byte-exact or reset; never a clean short end (\(result.received.count) bytes)")
                        return (served, seconds)
                    }
                }
                var all: [(served: Bool, seconds: Double)] = []
                for try await outcome in tasks { all.append(outcome) }
                return all
            }
            let served = outcomes.filter(\.served).count
            let slowest = outcomes.map(\.seconds).max() ?? 0
            print("300 connections against 2 x 4 streams: \(served) served, \(300 - served) reset, slowest \(slowest) s")
            #expect(served > 0)
            #expect(slowest < 1.0, "each connection is served or reset within a second (slowest: \(slowest) s)")

            let settled = try await eventually(timeout: .seconds(5)) {
                try closeWaitSockets(of: client.pid) == 0 && openDescriptors(of: client.pid) <= descriptorsBefore
            }
            let closeWait = try closeWaitSockets(of: client.pid)
            let descriptorsAfter = try openDescriptors(of: client.pid)
            #expect(settled, "client: \(closeWait) CLOSE-WAIT sockets, \(descriptorsAfter) descriptors (\(descriptorsBefore) before)")
            try await echo.close()
        }
    }
}
