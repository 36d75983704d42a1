import HyperionCommandLine
import HyperionConfig
import HyperionCrypto
import HyperionTunnel

/// What `run` and `doctor` share: the config loaded, every secret resolved, and the
/// runtime's view of it (`ClientConfig+Runtime`).
struct ClientSetup {
    let config: ClientConfig
    let endpoints: [TunnelEndpoint]
    let settings: TunnelClientSettings

    static func load(
        configPath: String?, adHocForwards: [String] = [], socks: String? = nil, resolver: KeySourceResolver = KeySourceResolver()
    ) throws -> ClientSetup {
        let path = try configPath ?? CommandFailure.wrapping { try HyperionPaths.current().clientConfig }
        var config = try CommandFailure.wrapping { try ClientConfig.load(path: path) }
        if !adHocForwards.isEmpty {
            config = try CommandFailure.wrapping { try config.addingAdHocForwards(adHocForwards) }
        }
        if let socks {
            config = try CommandFailure.wrapping { try config.settingSocks(socks) }
        }
        let keys = try CommandFailure.wrapping { try resolver.resolveKeys(for: config) }
        let adminKey = try CommandFailure.wrapping { try config.readAdminKey() }
        let endpoints = try CommandFailure.wrapping { try config.tunnelEndpoints(keys: keys) }
        return ClientSetup(config: config, endpoints: endpoints, settings: config.tunnelSettings(adminKey: adminKey))
    }
}
