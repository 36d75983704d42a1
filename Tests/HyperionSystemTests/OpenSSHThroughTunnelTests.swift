import Foundation
import NIOPosix
import Testing
@testable import HyperionTestSupport

/// A real OpenSSH session through the tunnel: a private sshd on loopback, reached with
/// `ssh -p <forwarded port>` and 50 MB copied both ways with scp, and again through
/// `hyperion-client connect` as ssh's ProxyCommand with 20 MB.
///
/// The tunnel runs as the test user. The OpenSSH side runs as the runner: sshd logs in
/// the runner's own account (as root it must be root that logs in: nobody's shell is
/// nologin, which refuses the commands), and ssh and scp use that account's key.
@Suite(.serialized) struct OpenSSHThroughTunnelTests {
    @Test func sshRemoteCommandAndScpBothWays() async throws {
        try await TunnelFixture.with("ssh") { fixture in
            guard let sshd = try await PrivateSSHD.start(in: fixture) else { return }
            let tunnelPort = try TunnelFixture.freePort()
            let localPort = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [sshd.port]))
            _ = try await fixture.startClient(config: fixture.clientConfig(
                servers: [("srvA", tunnelPort)], forwards: [.init(localPort: localPort, server: "srvA", remotePort: sshd.port)]
            ))
            let session = try await runCommand(sshd.ssh, ["-p", "\(localPort)"] + sshd.options + ["\(sshd.user)@127.0.0.1", "echo through-hyperion; uname -s"], as: .runner)
            #expect(session.status == 0, "\(session.output)")
            #expect(session.output.contains("through-hyperion\nLinux"), "\(session.output)")
            try await sshd.scpBothWays(megabytes: 50, target: "127.0.0.1", extra: [], portFlag: ["-P", "\(localPort)"], in: fixture.directory)
        }
    }

    /// Issue 19, item 1: `ProxyCommand hyperion-client connect %h %p`, no local port. The
    /// proxy runs as the test user (ssh itself as the runner, for its login), and is given
    /// the server by its name with the managed domain, as `Host *.hyperion` would.
    @Test func proxyCommandConnectCarriesSshAndScpBothWays() async throws {
        try await TunnelFixture.with("ssh-proxy") { fixture in
            guard let sshd = try await PrivateSSHD.start(in: fixture) else { return }
            let tunnelPort = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [sshd.port]))
            let config = try fixture.clientConfig(servers: [("srvA", tunnelPort)], forwards: [])
            let proxy = try TestUser.command([TestUser.binaryDirectory + "/hyperion-client", "connect", "--config", config, "%h", "%p"], as: .testUser)
            let extra = ["-o", "ProxyCommand=\(proxy.joined(separator: " "))"]
            let session = try await runCommand(
                sshd.ssh, ["-p", "\(sshd.port)"] + sshd.options + extra + ["\(sshd.user)@srvA.hyperion", "echo through-connect; uname -s"],
                environment: fixture.environment, as: .runner
            )
            #expect(session.status == 0, "\(session.output)")
            #expect(session.output.contains("through-connect\nLinux"), "\(session.output)")
            try await sshd.scpBothWays(
                megabytes: 20, target: "srvA.hyperion", extra: extra, portFlag: ["-P", "\(sshd.port)"], in: fixture.directory,
                environment: fixture.environment
            )
        }
    }

    /// Issue 19, item 2: the block `hyperion-client ssh-config` prints, used as ssh's only
    /// config file, reaches the server by its alias and by NAME.hyperion.
    @Test func theSshConfigBlockReachesServersByAliasAndDomainName() async throws {
        try await TunnelFixture.with("ssh-config") { fixture in
            guard let sshd = try await PrivateSSHD.start(in: fixture) else { return }
            let tunnelPort = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [sshd.port]))
            let config = try fixture.clientConfig(servers: [("srvA", tunnelPort)], forwards: [])
            let printed = try await runCommand(TestUser.binaryDirectory + "/hyperion-client", ["ssh-config", "--config", config])
            #expect(printed.status == 0, "\(printed.output)")
            let sshConfig = try fixture.write("ssh_config", printed.output)
            for host in ["srvA", "srvA.hyperion"] {
                let session = try await runCommand(
                    sshd.ssh, ["-F", sshConfig, "-p", "\(sshd.port)"] + sshd.options + ["\(sshd.user)@\(host)", "echo via-\(host)"],
                    environment: fixture.environment, as: .runner
                )
                #expect(session.status == 0 && session.output.contains("via-\(host)"), "\(host):\n\(session.output)\nssh_config:\n\(printed.output)")
            }
        }
    }

    /// Issue 19, item 3: ssh through the SOCKS5 listener, with OpenBSD netcat as its proxy
    /// command (`nc -X 5`), the way ssh users reach hosts behind a SOCKS proxy.
    @Test func sshThroughTheSocksListenerWithNetcat() async throws {
        guard TestEnvironment.require(TestEnvironment.which("nc") != nil, "OpenBSD netcat (apt package netcat-openbsd)") else { return }
        try await TunnelFixture.with("ssh-socks") { fixture in
            guard let sshd = try await PrivateSSHD.start(in: fixture) else { return }
            let tunnelPort = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [sshd.port]))
            let socksPort = try TunnelFixture.freePort()
            _ = try await fixture.startClient(config: fixture.clientConfig(
                servers: [("srvA", tunnelPort)], forwards: [], extra: "[socks]\nlisten = \"127.0.0.1:\(socksPort)\""
            ))
            let proxy = ["-o", "ProxyCommand=\(TestEnvironment.which("nc")!) -X 5 -x 127.0.0.1:\(socksPort) %h %p"]
            let session = try await runCommand(
                sshd.ssh, ["-p", "\(sshd.port)"] + sshd.options + proxy + ["\(sshd.user)@srvA.hyperion", "echo through-socks; uname -s"],
                as: .runner
            )
            #expect(session.status == 0, "\(session.output)")
            #expect(session.output.contains("through-socks\nLinux"), "\(session.output)")
        }
    }
}

extension PrivateSSHD {
    /// Copies `megabytes` of random bytes up with scp and back down, and checks both copies.
    /// `target` is how ssh reaches the sshd (a host, with `extra` options for the port or
    /// a ProxyCommand).
    func scpBothWays(megabytes: Int, target: String, extra: [String], portFlag: [String], in dir: String, environment: [String: String] = [:]) async throws {
        let original = [UInt8].random(count: megabytes * 1024 * 1024)
        let upload = "\(dir)/upload.bin"
        try Data(original).write(to: URL(fileURLWithPath: upload))
        let up = try await runCommand(scp, portFlag + options + extra + [upload, "\(user)@\(target):\(dir)/remote.bin"], environment: environment, timeout: .seconds(180), as: .runner)
        #expect(up.status == 0, "\(up.output)")
        let down = try await runCommand(scp, portFlag + options + extra + ["\(user)@\(target):\(dir)/remote.bin", "\(dir)/download.bin"], environment: environment, timeout: .seconds(180), as: .runner)
        #expect(down.status == 0, "\(down.output)")
        let remote = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/remote.bin"))
        let downloaded = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/download.bin"))
        #expect(remote.count == original.count && remote.elementsEqual(original), "upload corrupted")
        #expect(downloaded.count == original.count && downloaded.elementsEqual(original), "download corrupted")
    }
}
