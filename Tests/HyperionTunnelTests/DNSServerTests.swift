import Foundation
import HyperionDNS
@testable import HyperionTestSupport
@testable import HyperionTunnel
import Logging
import NIOCore
import NIOPosix
import Testing

/// The DNS server on a real UDP socket on loopback, asked by independent clients: dig
/// (BIND's), and Python's socket module for datagrams no resolver would send.
@Suite struct DNSServerTests {
    static let web1 = DNSRecords(ipv4: [10, 99, 0, 10], ipv6: [0xFD, 0x68, 0x79, 0x70] + [UInt8](repeating: 0, count: 11) + [0x0A])
    static let web2 = DNSRecords(ipv4: [10, 99, 0, 11], ipv6: [0xFD, 0x68, 0x79, 0x70] + [UInt8](repeating: 0, count: 11) + [0x0B])

    /// Starts a server on 127.0.0.1, port 0, runs `body`, and closes it whatever happens.
    func withServer(_ records: [String: DNSRecords], _ body: (DNSServer) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var logger = Logger(label: "dns-test")
        logger.logLevel = .debug
        do {
            let server = try await DNSServer.start(
                host: "127.0.0.1", port: 0, responder: DNSResponder(records: records), group: group, logger: logger
            ).get()
            do {
                try await body(server)
            } catch {
                try? await server.close().get()
                throw error
            }
            try await server.close().get()
            try await server.close().get()  // a second close is harmless
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }

    @Test func digAsksTheServer() async throws {
        guard TestEnvironment.require(SystemTool.path("dig") != nil, "dig (apt package bind9-dnsutils; scripts/install-deps test installs it)"),
              let dig = SystemTool.path("dig")
        else { return }
        try await withServer(["web1": Self.web1]) { server in
            let port = try #require(server.localAddress.port)
            func ask(_ name: String, _ type: String) async throws -> DigOutput {
                // Three tries of up to five seconds each: a loaded machine may be slow to
                // schedule the server's loop, but UDP on loopback does not lose datagrams.
                let result = try await runCommand(dig, ["@127.0.0.1", "-p", "\(port)", "+tries=3", "+time=5", name, type], timeout: .seconds(60))
                #expect(result.status == 0, "dig \(name) \(type):\n\(result.output)")
                return DigOutput(result.output)
            }

            let a = try await ask("web1.hyperion", "A")
            #expect(a.status == "NOERROR", "\(a.text)")
            #expect(a.flags == ["qr", "aa", "rd"], "authoritative, RD copied, no RA: \(a.text)")
            #expect(a.answers == ["web1.hyperion. 5 IN A 10.99.0.10"], "\(a.text)")

            let aaaa = try await ask("WEB1.Hyperion", "AAAA")
            #expect(aaaa.status == "NOERROR", "\(aaaa.text)")
            #expect(aaaa.answers == ["WEB1.Hyperion. 5 IN AAAA fd68:7970::a"], "\(aaaa.text)")

            let nameError = try await ask("web2.hyperion", "A")
            #expect(nameError.status == "NXDOMAIN", "\(nameError.text)")
            #expect(nameError.flags.contains("aa") && nameError.answers.isEmpty, "\(nameError.text)")
            #expect(nameError.authority.first?.hasPrefix("hyperion. 5 IN SOA hyperion. hostmaster.hyperion. 1 3600 600 86400 5") == true, "\(nameError.text)")

            let refused = try await ask("example.com", "A")
            #expect(refused.status == "REFUSED", "\(refused.text)")
            #expect(!refused.flags.contains("aa") && refused.answers.isEmpty, "\(refused.text)")

            // Servers added and removed while it runs.
            server.update(["web2": Self.web2])
            let added = try await ask("web2.hyperion", "A")
            #expect(added.status == "NOERROR" && added.answers == ["web2.hyperion. 5 IN A 10.99.0.11"], "\(added.text)")
            let removed = try await ask("web1.hyperion", "A")
            #expect(removed.status == "NXDOMAIN", "\(removed.text)")

            let statistics = server.statistics
            // dig may have retried one on a slow machine, hence "at least".
            #expect(statistics.answered >= 3 && statistics.nxdomain >= 2 && statistics.refused >= 1, "\(statistics)")
            #expect(statistics.malformed == 0 && statistics.dropped == 0 && statistics.unsent == 0, "\(statistics)")
        }
    }

    /// Junk is answered FORMERR or dropped, and the server goes on answering.
    @Test func junkDatagrams() async throws {
        guard TestEnvironment.require(SystemTool.path("python3") != nil, "python3") else { return }
        try await withServer(["web1": Self.web1]) { server in
            let port = try #require(server.localAddress.port)
            let query: [UInt8] = [0xAB, 0xCD, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 4] + Array("web1".utf8) + [8] + Array("hyperion".utf8) + [0, 0, 1, 0, 1]
            let datagrams: [[UInt8]] = [
                [1, 2, 3],                                         // shorter than a header: dropped
                [0x12, 0x34, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0],     // a response: dropped
                [0x56, 0x78, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0],        // two questions: FORMERR
                // Longer than the read buffer, cut there, and a name of 1-byte labels past
                // 255 bytes: FORMERR.
                [0x11, 0x11, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 1, count: 3000),
                query,
            ]
            let replies = try await UDPExchange.send(datagrams, to: "127.0.0.1", port: port)
            #expect(replies.count == 3, "\(replies)")
            let formatErrors = replies.filter { $0.count == 12 && $0[3] & 0xF == 1 }.map { Array($0[0..<2]) }
            #expect(Set(formatErrors) == [[0x56, 0x78], [0x11, 0x11]], "\(replies)")
            let answer = replies.first { $0.starts(with: [0xAB, 0xCD]) }
            #expect(answer?.suffix(4) == [10, 99, 0, 10], "\(replies)")
            let statistics = server.statistics
            #expect(statistics.queries == 5 && statistics.dropped == 2 && statistics.malformed == 2 && statistics.answered == 1, "\(statistics)")
        }
    }

    @Test func bindFailureIsReported() async throws {
        try await withServer([:]) { server in
            let port = try #require(server.localAddress.port)
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let error = await #expect(throws: TunnelError.self) {
                try await DNSServer.start(host: "127.0.0.1", port: port, responder: DNSResponder(), group: group, logger: Logger(label: "dns-test")).get()
            }
            try await group.shutdownGracefully()
            #expect(error?.kind == .bindFailed)
            #expect(error?.message.contains("cannot listen for DNS on 127.0.0.1:\(port)") == true, "\(String(describing: error))")
        }
    }
}

/// What dig printed, in the parts the tests check. Records are normalised to single spaces.
struct DigOutput {
    let text: String
    var status: String?
    var flags: [String] = []
    var answers: [String] = []
    var authority: [String] = []

    init(_ text: String) {
        self.text = text
        var section = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if let range = line.range(of: "status: ") {
                status = String(line[range.upperBound...].prefix { $0 != "," })
            }
            if line.hasPrefix(";; flags: ") {
                flags = line.dropFirst(10).prefix { $0 != ";" }.split(separator: " ").map(String.init)
            }
            if line.hasPrefix(";; ") && line.hasSuffix("SECTION:") {
                section = line
                continue
            }
            guard !line.isEmpty, !line.hasPrefix(";") else {
                if line.isEmpty { section = "" }
                continue
            }
            let record = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            if section.contains("ANSWER") { answers.append(record) }
            if section.contains("AUTHORITY") { authority.append(record) }
        }
    }
}

/// Sends datagrams from one Python UDP socket and collects what comes back within two
/// seconds of quiet after the last one (loopback: the answers arrive at once or never).
enum UDPExchange {
    private static let script = """
        import socket, sys
        host, port = sys.argv[1], int(sys.argv[2])
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for datagram in sys.argv[3:]:
            s.sendto(bytes.fromhex(datagram), (host, port))
        s.settimeout(2.0)
        for _ in range(len(sys.argv) - 3):
            try:
                print(s.recv(4096).hex(), flush=True)
            except socket.timeout:
                break
        """

    static func send(_ datagrams: [[UInt8]], to host: String, port: Int) async throws -> [[UInt8]] {
        let result = try await runCommand(SystemTool.python3, ["-c", script, host, "\(port)"] + datagrams.map(\.hex), timeout: .seconds(60))
        guard result.status == 0 else { throw TestFailure("the UDP exchange failed:\n\(result.output)") }
        return result.output.split(separator: "\n").compactMap { [UInt8](hex: $0) }
    }
}
