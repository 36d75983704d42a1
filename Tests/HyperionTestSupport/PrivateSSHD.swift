import Foundation
import Testing

/// A private sshd for the tests that run OpenSSH through a tunnel: keys made for the test,
/// listening on 127.0.0.1 only (of this host, or of a network namespace's host), logging in
/// the runner's own account with the test's key (as root it must be root: nobody's shell is
/// nologin, which refuses commands). `options` make ssh and scp use it without questions.
struct PrivateSSHD {
    let port: Int
    let ssh: String
    let scp: String
    let options: [String]
    /// The account to log in: the runner's.
    let user = String(cString: getpwuid(geteuid()).pointee.pw_name)

    /// Starts one in `fixture`'s directory, on `port` (a free one if nil), on `host` (this
    /// machine if nil). Nil, after recording why (a failure under CI), when OpenSSH is missing.
    static func start(in fixture: TunnelFixture, port: Int? = nil, on host: NetworkHost? = nil) async throws -> PrivateSSHD? {
        guard let sshd = TestEnvironment.which("sshd"), let ssh = TestEnvironment.which("ssh"),
              let scp = TestEnvironment.which("scp"), let keygen = TestEnvironment.which("ssh-keygen")
        else {
            let found = ["sshd", "ssh", "scp", "ssh-keygen"].map { "\($0)=\(TestEnvironment.which($0) ?? "missing")" }
            _ = TestEnvironment.require(false, "OpenSSH (apt packages openssh-server, openssh-client): \(found.joined(separator: " "))")
            return nil
        }
        let dir = fixture.directory
        for key in ["host_key", "user_key"] {
            let made = try await runCommand(keygen, ["-q", "-t", "ed25519", "-N", "", "-f", "\(dir)/\(key)"], as: .runner)
            guard made.status == 0 else { throw TestFailure("ssh-keygen: \(made.output)") }
        }
        try FileManager.default.copyItem(atPath: "\(dir)/user_key.pub", toPath: "\(dir)/authorized_keys")
        let sshPort = try port ?? TunnelFixture.freePort()
        // StrictModes no: the fixture's directory belongs to the test user, not root.
        let config = try fixture.write("sshd_config", """
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
        // sshd's privilege separation directory; /run is the machine's, shared by namespaces.
        if TestEnvironment.isRoot { try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }
        let argv = [sshd, "-D", "-e", "-f", config]
        let daemon = try host.map { try ChildProcess(name: "sshd", executable: SystemTool.ip, arguments: $0.inside(argv), directory: dir, user: .runner) }
            ?? ChildProcess(name: "sshd", executable: sshd, arguments: Array(argv.dropFirst()), directory: dir, user: .runner)
        fixture.adopt(daemon)
        guard try await daemon.waitForOutput("Server listening", timeout: .seconds(10)) else { throw TestFailure("sshd did not start:\n\(daemon.output)") }
        let options = [
            "-i", "\(dir)/user_key", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
        ]
        return PrivateSSHD(port: sshPort, ssh: ssh, scp: scp, options: options)
    }
}
