import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTunnel

/// The daemons' control socket (issue 18, item 5): the bounded line reader, and a real Unix
/// socket with its mode, its one request per connection, and its peer check.
@Suite struct ControlSocketTests {
    @Test func aLineArrivesInAnySplitAndNothingMayFollowIt() throws {
        let line = Array("{\"command\":\"status\"}\n".utf8)
        for split in 0...line.count {
            var reader = ControlLineReader(limit: 64)
            let first = try reader.feed(line[0..<split])
            let second = try reader.feed(line[split...])
            #expect((first ?? second) == Array(line.dropLast()), "split at \(split)")
        }
        var reader = ControlLineReader(limit: 64)
        #expect(throws: ControlProtocolError.self) { try reader.feed(Array("{}\n{}".utf8)) }
    }

    @Test func aLineOverTheLimitIsRefusedWithoutBufferingIt() throws {
        var reader = ControlLineReader(limit: 8)
        #expect(try reader.feed(Array("12345678".utf8)) == nil)
        #expect(throws: ControlProtocolError.self) { try reader.feed([UInt8(ascii: "9")]) }
        var atOnce = ControlLineReader(limit: 8)
        #expect(throws: ControlProtocolError.self) { try atOnce.feed(Array("123456789\n".utf8)) }
        var exact = ControlLineReader(limit: 8)
        #expect(try exact.feed(Array("12345678\n".utf8)) == Array("12345678".utf8))
    }

    @Test func requestsAndRepliesRoundTripAsJSONLines() throws {
        for command in ControlCommand.allCases {
            let line = try ControlCoding.line(ControlRequest(command))
            #expect(line.last == UInt8(ascii: "\n") && line.filter { $0 == UInt8(ascii: "\n") }.count == 1)
            #expect(try ControlCoding.decode(ControlRequest.self, from: Array(line.dropLast())) == ControlRequest(command))
        }
        #expect(throws: ControlProtocolError.self) { try ControlCoding.decode(ControlRequest.self, from: Array("{\"command\":\"format\"}".utf8)) }
    }

    @Test func onlyTheOwnerAndRootPass() {
        #expect(PeerCheck.allows(peerUID: 1000, ownUID: 1000))
        #expect(PeerCheck.allows(peerUID: 0, ownUID: 1000))
        #expect(!PeerCheck.allows(peerUID: 65534, ownUID: 1000))
        #expect(!PeerCheck.allows(peerUID: 65534, ownUID: 0))
    }

    @Test func aRealSocketIs0600AndAnswersEachRequestOnce() async throws {
        let directory = NSTemporaryDirectory() + "hyperion-control-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/test.sock"
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let asked = NIOLockedValueBox<[ControlCommand]>([])
        let server = try await ControlServer.start(path: path, group: group, logger: Logger(label: "test")) { command in
            asked.withLockedValue { $0.append(command) }
            return group.next().makeCompletedFuture { try ControlCoding.line(ControlReply<[String]>(ok: true, status: ["asked \(command.rawValue)"])) }
        }.get()

        let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber).intValue
        #expect(mode == 0o600, "mode \(String(mode, radix: 8))")

        let reply = try ControlCoding.decode(ControlReply<[String]>.self, from: ControlClient.send(.status, to: path))
        #expect(reply.ok && reply.status == ["asked status"])
        let second = try ControlCoding.decode(ControlReply<[String]>.self, from: ControlClient.send(.reload, to: path))
        #expect(second.status == ["asked reload"])
        #expect(asked.withLockedValue { $0 } == [.status, .reload])

        // Junk gets an error line, and the handler is never asked.
        let junk = try ControlCoding.decode(ControlReply<NoStatus>.self, from: rawExchange(path, Array("not json\n".utf8)))
        #expect(!junk.ok && junk.error != nil)
        #expect(asked.withLockedValue { $0 }.count == 2)

        try await server.close().get()
        #expect(!FileManager.default.fileExists(atPath: path), "close removes the socket file")
        #expect(throws: ControlClient.Failure.notRunning) { try ControlClient.send(ControlCommand.status, to: path) }
        try await group.shutdownGracefully()
    }

    @Test func aSocketFileNobodyAnswersIsStale() throws {
        let path = NSTemporaryDirectory() + "hyperion-stale-\(UUID().uuidString.prefix(8)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        #expect(bound == 0)
        close(fd)   // the file stays, nobody listens: what a killed daemon leaves
        defer { unlink(path) }
        #expect(throws: ControlClient.Failure.stale) { try ControlClient.send(ControlCommand.status, to: path) }
    }

    /// Writes `bytes` to the socket at `path` and reads the reply line.
    private func rawExchange(_ path: String, _ bytes: [UInt8]) throws -> [UInt8] {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard connected == 0 else { throw ControlProtocolError("connect failed") }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &chunk, chunk.count)
            guard count > 0 else { break }
            reply += chunk[0..<count]
        }
        return Array(reply.dropLast())
    }
}
