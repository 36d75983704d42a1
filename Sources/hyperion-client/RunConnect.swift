import ArgumentParser
import Foundation
import HyperionCommandLine
import HyperionConfig
import HyperionTunnel
import Logging
import NIOCore
import NIOPosix

/// `hyperion-client connect SERVER PORT`: one stream on standard input and output, for
/// ssh's `ProxyCommand hyperion-client connect %h %p`.
///
/// Its own pool of one connection (a proxy command lives for one ssh session, so a second
/// connection would only cost a handshake), on one event loop. Refusals end with a status
/// of their own, so a script can tell them apart.
enum RunConnect {
    /// Exit statuses besides 0 (both directions ended cleanly) and 1 (anything else).
    enum Status {
        static let denied: Int32 = 3
        static let unreachable: Int32 = 4
        static let noTunnel: Int32 = 5
    }

    static func run(configPath: String?, server host: String, port: UInt16, logLevel: String?) throws {
        // Quiet by default: stderr is the ssh user's terminal.
        let logger = try LogSetup.bootstrap(label: "hyperion-client", option: logLevel ?? "warning", environment: currentEnvironment())
        let setup = try ClientSetup.load(configPath: configPath)
        let server: ClientConfig.Server
        switch ServerLookup.find(host, in: setup.config.servers) {
        case .found(let found): server = found
        case .unknown:
            throw CommandFailure("no server \(host.debugDescription) in \(setup.config.path): give a server's name, NAME.\(ServerLookup.domain), or the address its addr has (configured: \(setup.config.servers.map(\.name).joined(separator: ", ")))")
        case .ambiguous(let names):
            throw CommandFailure("\(host.debugDescription) is the address of several servers (\(names.joined(separator: ", "))); give the server's name instead")
        }
        guard port > 0 else { throw CommandFailure("port 0: give the port of the service on the server, for example 22") }
        for (fd, name) in [(CInt(0), "standard input"), (1, "standard output")] {
            if let problem = StdioStream.problem(with: fd, name: name) { throw CommandFailure(problem) }
        }
        var endpoint = setup.endpoints.first { $0.name == server.name }!
        endpoint.poolSize = 1
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let pool = ServerPool(endpoint: endpoint, settings: setup.settings, logger: logger)
        pool.start(group: group, loopOffset: 0)
        defer { pool.stop() }
        let ending: StdioStream.Ending
        do {
            ending = try StdioStream.run(
                pool: pool, port: port, wait: setup.settings.streamWait, input: 0, output: 1, on: loop, logger: logger
            ).wait()
        } catch let error as TunnelError {
            printError("hyperion-client connect: \(server.name) port \(port): \(error)")
            switch error.kind {
            case .streamDenied: throw ExitCode(Status.denied)
            case .streamUnreachable: throw ExitCode(Status.unreachable)
            case .noLiveTunnel: throw ExitCode(Status.noTunnel)
            default: throw ExitCode(1)
            }
        } catch {
            throw CommandFailure("\(server.name) port \(port): \(error)")
        }
        if ending == .broken {
            printError("hyperion-client connect: the stream to \(server.name) port \(port) was reset")
            throw ExitCode(1)
        }
    }

    /// `ssh-config`: the block for this program and config, with absolute paths, since ssh
    /// runs the proxy command from wherever the user is.
    static func printSSHConfig(configPath: String?) throws {
        let path = try configPath ?? CommandFailure.wrapping { try HyperionPaths.current().clientConfig }
        let config = try CommandFailure.wrapping { try ClientConfig.load(path: path, allowingNoServers: true) }
        print(SSHConfigBlock.render(program: executablePath(), config: configPath.map(absolute), servers: config.servers), terminator: "")
    }

    private static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? absolute(CommandLine.arguments[0])
    }

    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
