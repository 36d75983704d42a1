import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTestSupport

/// What a user sees when a program cannot start: one clear line naming the problem and
/// what to do, a non-zero exit, and nothing else (issue 15). Before, a port in use showed
/// NIO's socket-call text, and the client also logged aborted handshakes that blamed the
/// allowlist and, at times, NIO's "Cannot schedule tasks on an EventLoop that has already
/// shut down".
@Suite(.serialized) struct StartupErrorTests {
    let group = MultiThreadedEventLoopGroup.singleton
    /// The log level a user has by default (the fixture's processes log at info).
    let userDefaults = ["HYPERION_LOG": "notice"]

    /// A listener of another program on 127.0.0.1:`port`.
    private func occupy() async throws -> Channel {
        try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
    }

    @Test func aTunnelPortInUseIsOneClearLine() async throws {
        try await TunnelFixture.with("server-in-use") { fixture in
            let other = try await occupy()
            let port = other.localAddress!.port!
            let config = try fixture.serverConfig(port: port, allow: [22])
            let server = try fixture.launchServer(config: config, environment: userDefaults)
            let status = try await server.waitForExit(timeout: .seconds(20))
            #expect(status != nil && status != 0, "exit status \(String(describing: status))")
            let lines = server.output.split(separator: "\n")
            #expect(lines == ["Error: cannot listen on 127.0.0.1:\(port) for the tunnel (listen in \(config)): the address is already in use by another program (another hyperion-server still running?); stop that program or choose another port"], "\(server.output)")
            try await other.close()
        }
    }

    @Test func aForwardPortInUseIsOneClearLineAndNoTunnelIsTried() async throws {
        try await TunnelFixture.with("client-in-use") { fixture in
            let tunnelPort = try TunnelFixture.freePort()
            let server = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [22]))
            let other = try await occupy()
            let port = other.localAddress!.port!
            let client = try fixture.launchClient(config: fixture.clientConfig(
                servers: [("srvA", tunnelPort)], forwards: [.init(localPort: port, server: "srvA", remotePort: 22)]
            ), environment: userDefaults)
            let status = try await client.waitForExit(timeout: .seconds(20))
            #expect(status != nil && status != 0, "exit status \(String(describing: status))")
            let lines = client.output.split(separator: "\n")
            #expect(lines == ["Error: cannot listen on 127.0.0.1:\(port) for forward 127.0.0.1:\(port) -> srvA:22: the address is already in use by another program (another hyperion-client still running?); stop that program or choose another port"], "\(client.output)")
            // No tunnel connection was even begun.
            try await Task.sleep(for: .milliseconds(200))
            #expect(!server.output.contains("admin connected"), "\(server.output)")
            try await other.close()
        }
    }

    @Test func aKeyFileErrorNamesTheConfigAndTheKey() async throws {
        try await TunnelFixture.with("bad-key") { fixture in
            let keyPath = try fixture.writeSecret("garbage.key", String(repeating: "A", count: 44) + "\n")
            let tunnelPort = try TunnelFixture.freePort()
            let config = try fixture.clientConfig(
                servers: [("srvA", tunnelPort)], forwards: [.init(localPort: try TunnelFixture.freePort(), server: "srvA", remotePort: 22)],
                adminKeyPath: keyPath
            )
            let doctor = try await fixture.doctor(config: config)
            #expect(doctor.status != 0)
            #expect(doctor.output == "Error: \(config): admin_static_key_file: the admin key file \(keyPath) is not a valid key: it has the right length but is not 32 bytes of base64 (it would be 33 bytes: a key's text ends in exactly one = and has no other); it must hold the secret key that `hyperion-client keygen --out FILE` writes, not a public key\n", "\(doctor.output)")
        }
    }
}

/// Issue 19, item 4: both programs say what they are.
@Suite struct VersionTests {
    @Test func bothProgramsAnswerVersion() async throws {
        for program in ["hyperion-server", "hyperion-client"] {
            let result = try await runCommand(TestUser.binaryDirectory + "/" + program, ["--version"])
            #expect(result.status == 0, "\(program): \(result.output)")
            #expect(result.output.hasPrefix("\(program) ") && result.output.contains("(protocol v1)"), "\(program): \(result.output)")
        }
    }
}

/// A client that connects while `run` is starting gets "connection refused" (and tries
/// again) or a working forward, never a reset: the check that the port is free used to
/// listen on it for a moment, and a connection that arrived then was reset when the check
/// closed. Found by the `rootless` benchmark, which connects every half millisecond.
@Suite(.serialized) struct StartupRaceTests {
    @Test func connectingWhileTheClientStartsIsRefusedOrServedNeverReset() async throws {
        try await TunnelFixture.with("startup-race") { fixture in
            let echo = try await LoopbackService.echo(group: MultiThreadedEventLoopGroup.singleton)
            let tunnelPort = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [echo.localAddress!.port!]))
            for attempt in 0..<5 {
                let localPort = try TunnelFixture.freePort()
                let config = try fixture.clientConfig(
                    name: "client-\(attempt).toml", servers: [("srvA", tunnelPort)],
                    forwards: [.init(localPort: localPort, server: "srvA", remotePort: echo.localAddress!.port!)]
                )
                let client = try fixture.launchClient(config: config, name: "client-\(attempt)")
                let outcome = try await Task.detached { try Self.hammer(port: localPort) }.value
                #expect(outcome == "echoed", "attempt \(attempt): \(outcome)\n\(client.output)")
                client.signal(SIGTERM)
                _ = try await client.waitForExit()
            }
            try await echo.close()
        }
    }

    /// Connects to 127.0.0.1:`port` every half millisecond until a connection is accepted,
    /// then sends a byte and waits for its echo: "echoed", or what went wrong.
    static func hammer(port: Int) throws -> String {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if connected != 0 {
                guard errno == ECONNREFUSED else { return "connect failed: errno \(errno)" }
                usleep(500)
                continue
            }
            var timeout = timeval(tv_sec: 15, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var byte: UInt8 = 0x78
            guard send(fd, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 else { return "send failed: errno \(errno)" }
            var answer: UInt8 = 0
            let got = recv(fd, &answer, 1, 0)
            if got == 1 && answer == byte { return "echoed" }
            return got == 0 ? "closed without an echo" : "recv failed: errno \(errno)\(errno == ECONNRESET ? " (reset)" : "")"
        }
        return "not listening within 20 s"
    }
}
