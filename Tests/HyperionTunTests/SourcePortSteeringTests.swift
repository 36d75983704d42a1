#if os(Linux)
import Glibc
import HyperionNAT
import HyperionTunnel
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import HyperionTun

/// The listener's sockets hand each connection to the loop its source port names, the loop
/// TUN mode opened the flow's stream on: a live kernel runs the BPF program.
@Suite struct SourcePortSteeringTests {
    static let loopCount = 4

    @Test(arguments: ["127.0.0.1", "::1"])
    func eachConnectionIsAcceptedOnTheLoopItsSourcePortNames(host: String) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: Self.loopCount)
        do {
            try await connectAndCheck(host: host, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }

    func connectAndCheck(host: String, group: EventLoopGroup) async throws {
        let loops = Array(group.makeIterator())
        // Remote port → the index of the loop that accepted it.
        let accepted = Mutex<[Int: Int]>([:])
        let logger = Logger(label: "steering-test")
        let listener = try await LocalListener.start(
            LocalEndpoint(host: host, port: 0, purpose: "steering test"), loops: loops, streamWait: .seconds(1),
            logger: logger, steering: SourcePortSteering.setup(sockets: loops.count, ipv6: host.contains(":"), logger: logger)
        ) { local in
            if let port = local.remoteAddress?.port, let index = loops.firstIndex(where: { $0.inEventLoop }) {
                accepted.withLock { $0[port] = index }
            }
            return nil
        }.get()

        // Consecutive source ports, so that every residue comes up: the kernel's own choice
        // at bind() takes ports of one parity only.
        let target = try SocketAddress(ipAddress: host, port: listener.boundPort)
        var ports: [Int] = []
        var candidate = Int.random(in: 20_000..<30_000)
        while ports.count < 40, candidate < 32_000 {
            if try Self.connect(to: target, from: candidate) { ports.append(candidate) }
            candidate += 1
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while accepted.withLock({ $0.count }) < ports.count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let seen = accepted.withLock { $0 }
        for port in ports {
            #expect(seen[port] == port % loops.count, "source port \(port)")
        }
        #expect(Set(ports.map { $0 % loops.count }).count == loops.count, "every loop had a connection: \(ports)")
        try await listener.close().get()
    }

    /// Connects from `port` and closes; false when that port is taken.
    static func connect(to address: SocketAddress, from port: Int) throws -> Bool {
        let fd = socket(Int32(address.protocol.rawValue), Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        defer { close(fd) }
        let local = try SocketAddress(ipAddress: address.ipAddress!, port: port)
        guard local.withSockAddr({ bind(fd, $0, socklen_t($1)) }) == 0 else {
            if errno == EADDRINUSE { return false }
            throw IOError(errnoCode: errno, reason: "bind")
        }
        guard address.withSockAddr({ Glibc.connect(fd, $0, socklen_t($1)) }) == 0 else {
            throw IOError(errnoCode: errno, reason: "connect")
        }
        return true
    }

    @Test func theStreamOpensOnTheLoopOfTheFlowsNATPort() {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: Self.loopCount)
        defer { try? group.syncShutdownGracefully() }
        let loops = Array(group.makeIterator())
        let loop = SourcePortSteering.loop(for: FlowHandle(family: .v4, natPort: 40_003), in: loops)
        #expect(loop === loops[40_003 % Self.loopCount])
    }
}
#endif
