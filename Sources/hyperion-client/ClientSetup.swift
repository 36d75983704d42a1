import HyperionCommandLine
import HyperionConfig
import HyperionCrypto
import HyperionTunnel
import NIOCore

/// What `run` and `doctor` share: the config loaded, every secret resolved, and the
/// runtime's view of it.
struct ClientSetup {
    let config: ClientConfig
    let endpoints: [TunnelEndpoint]
    let settings: TunnelClientSettings

    static func load(configPath: String?, adHocForwards: [String] = [], socks: String? = nil) throws -> ClientSetup {
        let path = try configPath ?? CommandFailure.wrapping { try HyperionPaths.current().clientConfig }
        var config = try CommandFailure.wrapping { try ClientConfig.load(path: path) }
        if !adHocForwards.isEmpty {
            config = try CommandFailure.wrapping { try config.addingAdHocForwards(adHocForwards) }
        }
        if let socks {
            config = try CommandFailure.wrapping { try config.settingSocks(socks) }
        }
        let keys = try CommandFailure.wrapping { try KeySourceResolver().resolveKeys(for: config) }
        let adminKey = try CommandFailure.wrapping { try config.readAdminKey() }
        let endpoints = try config.servers.map { server in
            guard let key = keys[server.name] else {
                throw CommandFailure("no shared key resolved for [[server]] \(server.name)")
            }
            var endpoint = TunnelEndpoint(
                name: server.name, host: server.address.host.dialable, port: Int(server.address.port),
                serverKey: server.publicKey, presharedKey: key
            )
            endpoint.poolSize = server.poolSize
            endpoint.knockPort = Int(server.knockPort)
            return endpoint
        }
        var settings = TunnelClientSettings(adminKey: adminKey)
        settings.connectTimeout = TimeAmount(config.limits.connectTimeout)
        settings.handshakeTimeout = TimeAmount(config.limits.handshakeTimeout)
        settings.streamWait = TimeAmount(config.limits.streamWait)
        settings.pingInterval = TimeAmount(config.limits.pingInterval)
        settings.pingTimeout = TimeAmount(config.limits.pingTimeout)
        settings.maximumReceiveWindow = UInt32(clamping: config.limits.maxReceiveWindowBytes)
        settings.mark = config.mark
        if config.knockEnabled {
            settings.knocker = UDPKnocker(mark: config.mark)
        }
        return ClientSetup(config: config, endpoints: endpoints, settings: settings)
    }
}

extension HostAndPort.Host {
    /// The host as NIO dials it: an IP literal without brackets, or the DNS name.
    var dialable: String {
        switch self {
        case .ip(let ip): ip.description
        case .name(let name): name
        }
    }
}
