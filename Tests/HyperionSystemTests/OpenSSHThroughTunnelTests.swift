import Foundation
import NIOPosix
import Testing
@testable import HyperionTestSupport

/// A real OpenSSH session through the tunnel: a private sshd on loopback, reached with
/// `ssh -p <forwarded port>`, and 50 MB copied both ways with scp.
///
/// The tunnel runs as the test user. The OpenSSH side runs as the runner: sshd logs in
/// the runner's own account (as root it must be root that logs in: nobody's shell is
/// nologin, which refuses the commands), and ssh and scp use that account's key.
@Suite(.serialized) struct OpenSSHThroughTunnelTests {
    @Test func sshRemoteCommandAndScpBothWays() async throws {
        guard let sshd = TestEnvironment.which("sshd"), let ssh = TestEnvironment.which("ssh"),
              let scp = TestEnvironment.which("scp"), let keygen = TestEnvironment.which("ssh-keygen")
        else {
            let found = ["sshd", "ssh", "scp", "ssh-keygen"].map { "\($0)=\(TestEnvironment.which($0) ?? "missing")" }
            _ = TestEnvironment.require(false, "OpenSSH (apt package openssh-server): \(found.joined(separator: " "))")
            return
        }
        try await TunnelFixture.with("ssh") { fixture in
            let dir = fixture.directory
            for key in ["host_key", "user_key"] {
                let made = try await runCommand(keygen, ["-q", "-t", "ed25519", "-N", "", "-f", "\(dir)/\(key)"], as: .runner)
                #expect(made.status == 0, "\(made.output)")
            }
            try FileManager.default.copyItem(atPath: "\(dir)/user_key.pub", toPath: "\(dir)/authorized_keys")
            let sshPort = try TunnelFixture.freePort()
            let sshdConfig = try fixture.write("sshd_config", """
                Port \(sshPort)
                ListenAddress 127.0.0.1
                HostKey \(dir)/host_key
                AuthorizedKeysFile \(dir)/authorized_keys
                PidFile \(dir)/sshd.pid
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                StrictModes no
                UsePAM no
                Subsystem sftp internal-sftp
                """)
            if TestEnvironment.isRoot { try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }
            let daemon = try ChildProcess(name: "sshd", executable: sshd, arguments: ["-D", "-e", "-f", sshdConfig], directory: dir, user: .runner)
            fixture.adopt(daemon)
            try await daemon.waitForOutput("Server listening")

            let tunnelPort = try TunnelFixture.freePort()
            let localPort = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [sshPort]))
            _ = try await fixture.startClient(config: fixture.clientConfig(
                servers: [("srvA", tunnelPort)], forwards: [.init(localPort: localPort, server: "srvA", remotePort: sshPort)]
            ))

            let user = String(cString: getpwuid(geteuid()).pointee.pw_name)
            let options = [
                "-i", "\(dir)/user_key", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
            ]
            let session = try await runCommand(ssh, ["-p", "\(localPort)"] + options + ["\(user)@127.0.0.1", "echo through-hyperion; uname -s"], as: .runner)
            #expect(session.status == 0, "\(session.output)")
            #expect(session.output.contains("through-hyperion\nLinux"), "\(session.output)")

            let original = [UInt8].random(count: 50 * 1024 * 1024)
            let upload = "\(dir)/upload.bin"
            try Data(original).write(to: URL(fileURLWithPath: upload))
            let up = try await runCommand(scp, ["-P", "\(localPort)"] + options + [upload, "\(user)@127.0.0.1:\(dir)/remote.bin"], timeout: .seconds(180), as: .runner)
            #expect(up.status == 0, "\(up.output)")
            let down = try await runCommand(scp, ["-P", "\(localPort)"] + options + ["\(user)@127.0.0.1:\(dir)/remote.bin", "\(dir)/download.bin"], timeout: .seconds(180), as: .runner)
            #expect(down.status == 0, "\(down.output)")
            let remote = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/remote.bin"))
            let downloaded = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/download.bin"))
            #expect(remote.count == original.count && remote.elementsEqual(original), "upload corrupted")
            #expect(downloaded.count == original.count && downloaded.elementsEqual(original), "download corrupted")
        }
    }
}
