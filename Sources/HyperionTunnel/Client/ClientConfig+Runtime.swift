import HyperionConfig
import HyperionCrypto
import NIOCore

/// The client config as the runtime takes it: one mapping, shared by `run`, `tun`,
/// `connect`, `doctor` and the managed daemon.
extension ClientConfig {
    /// The runtime settings of `[limits]`, `mark` and `[knock]`.
    public func tunnelSettings(adminKey: X25519SecretKey) -> TunnelClientSettings {
        var settings = TunnelClientSettings(adminKey: adminKey)
        settings.connectTimeout = TimeAmount(limits.connectTimeout)
        settings.handshakeTimeout = TimeAmount(limits.handshakeTimeout)
        settings.streamWait = TimeAmount(limits.streamWait)
        settings.pingInterval = TimeAmount(limits.pingInterval)
        settings.pingTimeout = TimeAmount(limits.pingTimeout)
        settings.maximumReceiveWindow = UInt32(clamping: limits.maxReceiveWindowBytes)
        settings.mark = mark
        if knockEnabled {
            settings.knocker = UDPKnocker(mark: mark)
        }
        return settings
    }

    /// Every server as an endpoint, with its shared key from `keys` (by server name).
    public func tunnelEndpoints(keys: [String: PresharedKey]) throws -> [TunnelEndpoint] {
        try servers.map { server in
            guard let key = keys[server.name] else {
                throw TunnelError(.configuration, "no shared key resolved for [[server]] \(server.name)")
            }
            return server.tunnelEndpoint(presharedKey: key)
        }
    }
}

extension ClientConfig.Server {
    public func tunnelEndpoint(presharedKey: PresharedKey) -> TunnelEndpoint {
        var endpoint = TunnelEndpoint(
            name: name, host: address.host.dialable, port: Int(address.port), serverKey: publicKey, presharedKey: presharedKey
        )
        endpoint.poolSize = poolSize
        endpoint.knockPort = Int(knockPort)
        return endpoint
    }
}

extension HostAndPort.Host {
    /// The host as NIO dials it: an IP literal without brackets, or the DNS name.
    public var dialable: String {
        switch self {
        case .ip(let ip): ip.description
        case .name(let name): name
        }
    }
}
