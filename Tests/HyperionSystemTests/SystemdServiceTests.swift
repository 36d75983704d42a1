import Foundation
import Testing
@testable import HyperionTestSupport

/// Running under systemd (issue 19, item 6): the units pass `systemd-analyze verify`, the
/// programs report readiness and shutdown to `NOTIFY_SOCKET` (Type=notify), and when
/// stderr is the journal their lines carry a syslog priority and no timestamp of their own.
@Suite(.serialized) struct SystemdServiceTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A datagram socket standing in for systemd's notification socket.
    final class NotifySocket {
        let path: String
        let fd: Int32

        init(directory: String) throws {
            path = directory + "/notify.sock"
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard fd >= 0, bound == 0 else { throw TestFailure("cannot bind \(path): errno \(errno)") }
            chmod(path, 0o777)   // the program runs as the test user
            var timeout = timeval(tv_sec: 20, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        /// The next message, or nil after 20 s.
        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
        }
    }

    @Test func theUnitsVerify() async throws {
        guard TestEnvironment.require(TestEnvironment.which("systemd-analyze") != nil, "systemd-analyze (apt package systemd)") else { return }
        let directory = NSTemporaryDirectory() + "hyperion-units-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var units: [String] = []
        for name in ["hyperion-server.service", "hyperion-client.service"] {
            let text = try String(contentsOfFile: "\(Self.repository)/packaging/systemd/\(name)", encoding: .utf8)
            #expect(text.contains("Type=notify") && text.contains("NoNewPrivileges=yes") && text.contains("ProtectSystem=strict"), "\(name)")
            // verify checks that ExecStart exists: point it at this build's binaries.
            let path = "\(directory)/\(name)"
            try text.replacing("/usr/bin/", with: TestEnvironment.binaryDirectory + "/").write(toFile: path, atomically: true, encoding: .utf8)
            units.append(path)
        }
        // Documentation= names man pages that only an installed package has.
        let result = try await runCommand(TestEnvironment.which("systemd-analyze")!, ["verify", "--man=no"] + units, as: .runner)
        #expect(result.status == 0 && result.output.isEmpty, "systemd-analyze verify:\n\(result.output)")
    }

    @Test func theServerSaysReadyAndStoppingAndWritesForTheJournal() async throws {
        try await TunnelFixture.with("systemd") { fixture in
            let notify = try NotifySocket(directory: fixture.directory)
            // stderr is the log file the fixture opens for the server: announce it as the
            // journal stream, as systemd does with its own.
            let log = fixture.directory + "/server.log"
            FileManager.default.createFile(atPath: log, contents: nil)
            let attributes = try FileManager.default.attributesOfItem(atPath: log)
            let stream = "\((attributes[.systemNumber] as! NSNumber).uint64Value):\((attributes[.systemFileNumber] as! NSNumber).uint64Value)"
            let port = try TunnelFixture.freePort()
            let server = try fixture.launchServer(
                config: fixture.serverConfig(port: port, allow: []), environment: ["NOTIFY_SOCKET": notify.path, "JOURNAL_STREAM": stream]
            )
            let ready = notify.receive()
            #expect(ready == "READY=1\nSTATUS=listening on 127.0.0.1:\(port)", "\(ready ?? "no message"):\n\(server.output)")
            server.signal(SIGTERM)
            #expect(notify.receive() == "STOPPING=1")
            _ = try await server.waitForExit()
            let lines = server.output.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("<5>hyperion-server: listening [") }, "\(server.output)")
            // Each line is "<N>hyperion-server: …": a priority, then the label, no timestamp first.
            let journalShaped = lines.allSatisfy { line in
                line.count > 3 && line.first == "<" && line.dropFirst().first!.isNumber && line.dropFirst(2).hasPrefix(">hyperion-server: ")
            }
            #expect(!lines.isEmpty && journalShaped, "every line: priority and label, no timestamp:\n\(server.output)")
        }
    }
}
