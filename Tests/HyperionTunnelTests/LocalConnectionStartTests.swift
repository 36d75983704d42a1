import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTunnel

/// A forward's local connection may only be served once NIO has made it active.
///
/// ServerBootstrap runs the child initializer before the accepted channel is registered;
/// registration is a task queued on the loop. The client used to start opening the stream
/// from the initializer. Under load the stream's answer was handled before the queued
/// registration, found the local connection "not active", closed the stream and forgot
/// the connection: the user's connection hung with nothing read, for ever.
@Suite struct LocalConnectionStartTests {
    @Test func serveStartsOnlyOnceTheAcceptedConnectionIsActive() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let started = NIOLockedValueBox<[Bool]>([])
        let startedOnce = group.next().makePromise(of: Void.self)
        let server = try await ServerBootstrap(group: group)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { local in
                local.eventLoop.makeCompletedFuture {
                    try LocalListener.prepare(local: local) { channel in
                        started.withLockedValue { $0.append(channel.isActive) }
                        startedOnce.succeed(())
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let client = try await ClientBootstrap(group: group).connect(to: server.localAddress!).get()
        try await startedOnce.futureResult.get()
        // Time for a wrong second start to show.
        try await Task.sleep(for: .milliseconds(50))
        #expect(started.withLockedValue { $0 } == [true], "started once, with the connection active")
        try await client.close()
        try await server.close()
    }

    @Test func whatArrivesBeforeTheRelayIsStillHeld() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let accepted = group.next().makePromise(of: Channel.self)
        let server = try await ServerBootstrap(group: group)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { local in
                local.eventLoop.makeCompletedFuture {
                    try LocalListener.prepare(local: local) { accepted.succeed($0) }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let client = try await ClientBootstrap(group: group).connect(to: server.localAddress!).get()
        let local = try await accepted.futureResult.get()
        let holdsEarlyInput = try await local.eventLoop.submit {
            (try? local.pipeline.syncOperations.handler(type: InputHold.self)) != nil
        }.get()
        #expect(holdsEarlyInput)
        try await client.close()
        try await server.close()
    }
}
