import ArgumentParser
import HyperionCommandLine

extension HyperionClient {
    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate the admin's static X25519 key pair and print its public key."
        )

        @Option(name: .long, help: ArgumentHelp("Write the secret key to this new file (mode 0600).", valueName: "file"))
        var out: String?

        func run() throws {
            try HyperionCommandLine.Keygen.run(out: out, role: "admin")
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forward local ports (-L) and a SOCKS5 listener (-D) to services on the servers, in the foreground."
        )

        @Option(name: .long, help: ArgumentHelp("Client config file (default: client.toml in the user config directory).", valueName: "file"))
        var config: String?

        @Option(name: .customShort("L"), help: ArgumentHelp("An extra forward, [addr:]lport:server:rport (addr defaults to 127.0.0.1). Repeatable.", valueName: "forward"))
        var forwards: [String] = []

        @Option(name: .customShort("D"), help: ArgumentHelp("A SOCKS5 listener, [addr:]port (addr defaults to 127.0.0.1), instead of [socks] listen. CONNECT only, no authentication; the host is a server's name, NAME.hyperion, its address or fake address, the port the port on its loopback.", valueName: "socks"))
        var socks: String?

        @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice (default), warning, error or critical. Overrides HYPERION_LOG.", valueName: "level"))
        var logLevel: String?

        func run() throws {
            try RunClient.run(configPath: config, adHocForwards: forwards, socks: socks, logLevel: logLevel)
        }
    }

    struct Connect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Join standard input and output to one stream, for ssh's ProxyCommand.",
            discussion: """
                ssh_config: ProxyCommand hyperion-client connect %h %p (see ssh-config). SERVER is a \
                configured server's name, NAME.hyperion, or the address in its addr (or a fake_ip). \
                Exit status: 0 when both directions ended cleanly; 3 the server's allowlist denies \
                the port; 4 the server could not connect to the port; 5 no tunnel to the server \
                within stream_wait_ms; 1 anything else (a reset, a config error).
                """
        )

        @Option(name: .long, help: ArgumentHelp("Client config file (default: client.toml in the user config directory).", valueName: "file"))
        var config: String?

        @Option(name: .customLong("log-level"), help: ArgumentHelp("Log level on stderr (default: warning).", valueName: "level"))
        var logLevel: String?

        @Argument(help: "The server: its name, NAME.hyperion, or its address.")
        var server: String

        @Argument(help: "The port on the server's loopback.")
        var port: UInt16

        func run() throws {
            try RunConnect.run(configPath: config, server: server, port: port, logLevel: logLevel)
        }
    }

    struct SSHConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ssh-config",
            abstract: "Print an ssh_config block that reaches every server through `connect` (Host *.hyperion and Host NAME)."
        )

        @Option(name: .long, help: ArgumentHelp("Client config file (default: client.toml in the user config directory); it goes into the printed commands.", valueName: "file"))
        var config: String?

        func run() throws {
            try RunConnect.printSSHConfig(configPath: config)
        }
    }

    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check knock, TCP connect, handshake and ping against every server; forward nothing."
        )

        @Option(name: .long, help: ArgumentHelp("Client config file.", valueName: "file"))
        var config: String?

        @Option(name: .customLong("log-level"), help: ArgumentHelp("Log level for the checks themselves (default: error).", valueName: "level"))
        var logLevel: String?

        func run() throws {
            try RunDoctor.run(configPath: config, logLevel: logLevel)
        }
    }

    struct Tun: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "L3 TUN mode: reach every server at its real or fake IP, any port its server allows (Linux, CAP_NET_ADMIN).",
            discussion: """
                Brings up the TUN device ([tun] name, default hyperion0) and serves every [[server]]; the \
                kernel's own TCP ends each application connection, which is relayed over a tunnel stream. \
                Route the servers' real addresses into the device with `hyperion-client print-routes --config FILE | sudo sh`; \
                fake addresses (fake_ip, fake_ip6) are on the device's own subnet and need no route. A port the server \
                does not allow fails with "connection refused", no tunnel with "no route to host". Once a \
                connection is established, a BPF program on the device rewrites its packets in the kernel \
                ([tun] fast_path, default true; needs CAP_BPF and Linux 6.6, else every packet takes the TUN).
                """
        )

        @Option(name: .long, help: ArgumentHelp("Client config file.", valueName: "file"))
        var config: String

        @Option(name: .customLong("tun-addr"), help: ArgumentHelp("IPv4 address of the TUN device (default: [tun] addr, else 10.99.0.1).", valueName: "ip"))
        var tunAddr: String?

        @Option(name: .long, help: ArgumentHelp("Prefix length of that address (default: [tun] prefix, else 24).", valueName: "n"))
        var prefix: Int?

        @Option(name: .long, help: ArgumentHelp("MTU of the device (default: [tun] mtu, else 65535).", valueName: "n"))
        var mtu: Int?

        @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice (default), warning, error or critical. Overrides HYPERION_LOG.", valueName: "level"))
        var logLevel: String?

        func run() throws {
            try RunTun.run(configPath: config, overrides: .init(address: tunAddr, prefix: prefix, mtu: mtu), logLevel: logLevel)
        }
    }

    struct PrintRoutes: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a sh script of ip route / ip rule commands that send server IPs through the TUN.",
            discussion: """
                Run it after `hyperion-client tun` is up: hyperion-client print-routes --config client.toml | sudo sh. \
                Each server address gets a route in its own table and a rule for traffic to it that does not carry \
                the tunnel's mark. Running the script twice, or the --down script twice, is harmless.
                """
        )

        @Option(name: .long, help: ArgumentHelp("Client config file.", valueName: "file"))
        var config: String

        @Option(name: .long, help: ArgumentHelp("TUN device name (default: [tun] name, else hyperion0).", valueName: "name"))
        var dev: String?

        @Option(name: .long, help: ArgumentHelp("The tunnel sockets' SO_MARK (default: [tun] mark, else mark, else 0x6879 = 26745).", valueName: "n"))
        var mark: UInt32?

        @Option(name: .long, help: ArgumentHelp("Routing table number (default: [tun] table, else 26745).", valueName: "n"))
        var table: UInt32?

        @Flag(name: .long, help: "Print the commands that remove the routes instead.")
        var down = false

        func run() throws {
            try RunPrintRoutes.run(configPath: config, device: dev, mark: mark, table: table, down: down)
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate the admin key and config; print the admin public key and the shared salt (managed mode).",
            discussion: "Both go into the config directory ($HYPERION_HOME, else $XDG_CONFIG_HOME/hyperion, else ~/.config/hyperion), mode 0700, files 0600. The config has a fresh random salt and knocking on."
        )

        @Flag(name: .long, help: "Replace an existing config and admin key (servers then need the new public key).")
        var force = false

        func run() throws {
            try RunManage.initialize(force: force)
        }
    }

    struct AddServer: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-server",
            abstract: "Add a server by name, address and public key; it gets a stable fake IP (managed mode).",
            discussion: "The first server gets 10.99.0.10 and fd68:7970::a, each next one the lowest free pair; a server keeps its addresses while it stays configured."
        )

        @Argument(help: "Server name: 1-63 letters, digits, \".\", \"_\" or \"-\".")
        var name: String

        @Argument(help: "Server address, host:port (the tunnel port).")
        var address: String

        @Argument(help: "The server's public key (base64), printed by `hyperion-server init`.")
        var serverPubkey: String

        func run() throws {
            try RunManage.addServer(name: name, address: address, publicKey: serverPubkey)
        }
    }

    struct RmServer: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm-server",
            abstract: "Remove a server (managed mode)."
        )

        @Argument(help: "Server name.")
        var name: String

        func run() throws {
            try RunManage.removeServer(name: name)
        }
    }

    struct Ls: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List servers and their fake IPs (managed mode).")

        func run() throws {
            try RunManage.list()
        }
    }

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the managed tunnel: every server at its fake IP on hyperion0 (needs root).",
            discussion: """
                Asks for the passphrase once (without echo) unless HYPERION_PASSPHRASE or the \
                configured passphrase_env is set, then starts the daemon in the background and \
                returns once it runs. The passphrase reaches the daemon over a pipe, never its \
                environment or arguments. Its socket, pid file and log are in the runtime \
                directory: HYPERION_RUNTIME_DIR, else /run/hyperion for root, else \
                $XDG_RUNTIME_DIR/hyperion.
                """
        )

        @Option(name: .long, help: ArgumentHelp("Client config file (default: client.toml in the user config directory).", valueName: "file"))
        var config: String?

        @OptionGroup var daemon: DaemonStartOptions

        func run() throws {
            if daemon.foreground {
                try RunDaemon.foreground(
                    configPath: config, secretDescriptor: daemon.secretDescriptor, readyDescriptor: daemon.readyDescriptor, logLevel: daemon.logLevel
                )
            } else {
                try RunDaemon.up(configPath: config, logLevel: daemon.logLevel)
            }
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop the managed tunnel: open streams drain, then hyperion0 goes away."
        )

        func run() throws {
            try RunDaemon.down()
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each server: fake IP, address, state, connections, streams, bytes, handshake age, ping.",
            discussion: "With the daemon down, says so and shows the configured servers."
        )

        @Option(name: .long, help: ArgumentHelp("Client config file, for the table shown while the daemon is down.", valueName: "file"))
        var config: String?

        @Flag(name: .long, help: "Print the status as JSON.")
        var json = false

        func run() throws {
            try RunDaemon.status(configPath: config, json: json)
        }
    }
}
