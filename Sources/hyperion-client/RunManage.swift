import HyperionCommandLine
import HyperionConfig

/// The managed-mode commands that work on the config alone: `init`, `add-server`,
/// `rm-server`, `ls`. None needs a key, a passphrase or the network.
enum RunManage {
    static func initialize(force: Bool) throws {
        let paths = try CommandFailure.wrapping { try HyperionPaths.current() }
        let salt = ManagedClientConfig.randomSalt()
        let key = try ManagedInit.write(
            paths: paths, configPath: paths.clientConfig, keyFileName: ManagedClientConfig.keyFileName,
            configText: ManagedClientConfig.initialText(salt: salt), force: force, command: "hyperion-client init"
        )
        printError("wrote \(paths.clientConfig) and the admin key \(paths.configDirectory)/\(ManagedClientConfig.keyFileName) (mode 0600)")
        print("admin public key: \(key.publicKey.base64)")
        print("salt: \(salt)")
        printError("next, on each server: hyperion-server init --salt \(salt) --admin-key \(key.publicKey.base64) --allow PORTS")
    }

    static func addServer(name: String, address: String, publicKey: String) throws {
        let path = try managedConfig()
        var added: ManagedClientConfig.Added?
        try CommandFailure.wrapping {
            try ManagedClientConfig.edit(path: path) { text in
                let result = try ManagedClientConfig.adding(name: name, address: address, publicKey: publicKey, to: text, path: path)
                added = result
                return result.text
            }
        }
        guard let server = added?.server else { return }
        print("added \(server.name): \(server.address) at fake IP \(server.fakeAddress.map { "\($0)" } ?? "-") and \(server.fakeAddress6.map { "\($0)" } ?? "-")")
        RunDaemon.reloadIfRunning()
    }

    static func removeServer(name: String) throws {
        let path = try managedConfig()
        try CommandFailure.wrapping {
            try ManagedClientConfig.edit(path: path) { try ManagedClientConfig.removing(name: name, from: $0, path: path) }
        }
        print("removed \(name)")
        RunDaemon.reloadIfRunning()
    }

    static func list() throws {
        let path = try managedConfig()
        let config = try CommandFailure.wrapping { try ClientConfig.load(path: path, allowingNoServers: true) }
        guard !config.servers.isEmpty else {
            printError("no servers in \(path); add one with `hyperion-client add-server NAME HOST:PORT PUBKEY`")
            return
        }
        let rows = [["NAME", "ADDRESS", "FAKE IP", "FAKE IPv6", "SERVER KEY"]] + config.servers.map {
            [$0.name, "\($0.address)", $0.fakeAddress.map { "\($0)" } ?? "-", $0.fakeAddress6.map { "\($0)" } ?? "-", $0.publicKey.base64]
        }
        print(TextTable.render(rows), terminator: "")
    }

    /// The client config of the config directory, which `init` must have made.
    private static func managedConfig() throws -> String {
        let path = try CommandFailure.wrapping { try HyperionPaths.current().clientConfig }
        guard ManagedClientConfig.exists(path) else {
            throw CommandFailure("no client config at \(path); run `hyperion-client init` first (or set HYPERION_HOME to the directory that has it)")
        }
        return path
    }
}
