import HyperionCommandLine
import HyperionConfig

/// `hyperion-client print-routes`: the routing for TUN mode's real addresses as a script on
/// stdout. Reads only the config: no key, no passphrase, no network but name lookups.
enum RunPrintRoutes {
    static func run(configPath: String, device: String?, mark: UInt32?, table: UInt32?, down: Bool) throws {
        let config = try CommandFailure.wrapping { try ClientConfig.load(path: configPath) }
        if let device, !NameRules.isInterfaceName(device) {
            throw CommandFailure("--dev \(device): a device name is 1-15 letters, digits, \".\", \"_\" or \"-\"")
        }
        if mark == 0 { throw CommandFailure("--mark 0: the mark must be 1 or more (0 is what unmarked sockets carry)") }
        if let table, table == 0 || (253...255).contains(table) {
            throw CommandFailure("--table \(table): pick a table of its own, not 0 or the kernel's 253-255 (default, main, local)")
        }
        let script = RouteScript(device: device ?? config.tun.name, mark: mark ?? config.tun.mark, table: table ?? config.tun.table)
        let addresses = try config.servers.map { server in
            (server: server.name, addresses: try CommandFailure.wrapping { try server.address.host.resolveAll() })
        }
        print(script.render(addresses, down: down), terminator: "")
    }
}
