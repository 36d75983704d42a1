import HyperionCommandLine
import HyperionConfig
import HyperionTunnel

#if canImport(Glibc)
import Glibc
#endif

/// `hyperion-server up`, `down` and `status`: `run` as a daemon with a control socket.
enum RunServerDaemon {
    static let role = "server"

    static func up(configPath: String?, logLevel: String?) throws {
        let path = try configPath ?? CommandFailure.wrapping { try HyperionPaths.current().serverConfig }
        let config = try CommandFailure.wrapping { try ServerConfig.load(path: path) }
        try DaemonControl.up(
            program: "hyperion-server", role: role, configPath: path, keySource: config.key, logLevel: logLevel, status: "the admins connected"
        )
    }

    static func foreground(configPath: String?, secretDescriptor: Int32?, readyDescriptor: Int32?, logLevel: String?) throws {
        if readyDescriptor != nil { DaemonReadiness.detach() }
        do {
            let passphrase = try secretDescriptor.map { try DaemonReadiness.readSecret(from: $0) } ?? nil
            let files = try DaemonControl.prepare(role: role, program: "hyperion-server")
            let path = try configPath ?? CommandFailure.wrapping { try HyperionPaths.current().serverConfig }
            let config = try CommandFailure.wrapping { try ServerConfig.load(path: path) }
            let secret = try passphrase ?? DaemonSecret.passphrase(for: config.key, origin: "[key] of \(path)")
            try RunServer.run(
                configPath: path, logLevel: logLevel, daemon: RunServer.Daemon(files: files, passphrase: secret, readyDescriptor: readyDescriptor)
            )
        } catch {
            throw error
        }
    }

    /// What the config says, for status while the daemon is down; nil when it cannot be read.
    private static func configured(_ configPath: String?) -> ServerDaemonStatus.Configured? {
        guard let path = configPath ?? (try? HyperionPaths.current().serverConfig), let config = try? ServerConfig.load(path: path) else {
            return nil
        }
        return .init(
            path: path, listen: "\(config.listen)", admins: config.identity.adminPublicKeys.map(\.base64),
            allowedPorts: config.egress.allowedPorts, knock: config.knock.isEnabled
        )
    }

    static func down() throws {
        try DaemonControl.stop(role: role, program: "hyperion-server")
    }

    static func status(configPath: String?, json: Bool) throws {
        let files = try DaemonFiles.current(role: role)
        let status: ServerDaemonStatus
        switch try DaemonControl.status(ServerDaemonStatus.self, files: files, program: "hyperion-server") {
        case .some(let live): status = live
        case .none: status = ServerDaemonStatus(running: false, connections: [], configured: configured(configPath))
        }
        if json {
            print(String(decoding: try ControlCoding.line(status), as: UTF8.self), terminator: "")
            return
        }
        guard status.running else {
            guard let configured = status.configured else {
                print("hyperion-server is not running (and no config was found to show)")
                return
            }
            print("hyperion-server is not running; configured in \(configured.path):")
            print("listen \(configured.listen), knock \(configured.knock ? "on" : "off"), loopback ports \(configured.allowedPorts.map(String.init).joined(separator: ","))")
            print("admins: \(configured.admins.joined(separator: ", "))")
            return
        }
        var text = "hyperion-server is running (pid \(status.pid.map { "\($0)" } ?? "?")), listening on \(status.listening ?? "?")\n"
        if status.connections.isEmpty {
            text += "no admin connected\n"
        } else {
            var rows = [["ADMIN", "ADDRESS", "SINCE", "STREAMS", "IN", "OUT"]]
            for connection in status.connections {
                rows.append([
                    connection.admin, connection.address, StatusFormat.age(connection.connectedSeconds) + " ago", "\(connection.openStreams)",
                    StatusFormat.bytes(connection.bytesIn), StatusFormat.bytes(connection.bytesOut),
                ])
            }
            text += TextTable.render(rows)
        }
        if let knocks = status.knocks {
            let refused = knocks.rejections.values.reduce(0, +)
            text += "knocks: \(knocks.knocksAccepted) accepted, \(refused) refused"
            let reasons = knocks.rejections.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }
            text += reasons.isEmpty ? "\n" : " (\(reasons.joined(separator: ", ")))\n"
        } else {
            text += "knock: off\n"
        }
        print(text, terminator: "")
    }
}
