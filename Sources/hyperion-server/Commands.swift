import ArgumentParser
import HyperionCommandLine
import HyperionConfig
import HyperionSPA

extension HyperionServer {
    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate the server's static X25519 key pair and print its public key."
        )

        @Option(name: .long, help: ArgumentHelp("Write the secret key to this new file (mode 0600).", valueName: "file"))
        var out: String?

        func run() throws {
            try HyperionCommandLine.Keygen.run(out: out, role: "server")
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the server in the foreground: knock sniffer (Linux), tunnel listener and relay."
        )

        @Option(name: .long, help: ArgumentHelp("Server config file (default: server.toml in the user config directory).", valueName: "file"))
        var config: String?

        @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice (default), warning, error or critical. Overrides HYPERION_LOG.", valueName: "level"))
        var logLevel: String?

        func run() throws {
            try RunServer.run(configPath: config, logLevel: logLevel)
        }
    }

    struct PrintFirewall: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the base nftables ruleset (default-drop) for review. It is never applied automatically.",
            discussion: "Review it, then apply it on a host you can reach out of band: hyperion-server print-firewall --tunnel-port 8443 | nft -f -"
        )

        @Option(name: .long, help: ArgumentHelp("The TCP tunnel port to open for knocked addresses.", valueName: "port"))
        var tunnelPort: UInt16

        @Option(name: .long, help: ArgumentHelp("nftables table name.", valueName: "table"))
        var table: String = "hyperion"

        @Option(name: .long, help: ArgumentHelp("nftables set of knocked IPv4 addresses.", valueName: "set"))
        var set: String = "knock_allow"

        @Option(name: .long, help: ArgumentHelp("nftables set of knocked IPv6 addresses.", valueName: "set"))
        var set6: String = "knock_allow6"

        func run() throws {
            print(try CommandFailure.wrapping {
                try FirewallRuleset.render(tunnelPort: tunnelPort, table: table, set: set, set6: set6)
            }, terminator: "")
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate the server key and config in the user config directory (managed mode).",
            discussion: "Prints the server's public key. The config has knocking on and the shared key from a passphrase with the admin's salt."
        )

        @Option(name: .long, help: "The shared salt printed by `hyperion-client init`.")
        var salt: String

        @Option(name: .customLong("admin-key"), help: "The admin public key printed by `hyperion-client init`.")
        var adminKey: String

        @Option(name: .long, help: "Comma-separated ports the server may dial on its loopback, e.g. 22,5432 (default: none).")
        var allow: String?

        @Option(name: .long, help: "Listen address, ip:port (default 0.0.0.0:8443).")
        var listen: String?

        @Flag(name: .long, help: "Replace an existing config and server key (the admin then needs the new public key).")
        var force = false

        func run() throws {
            let paths = try CommandFailure.wrapping { try HyperionPaths.current() }
            let text = try CommandFailure.wrapping {
                try ManagedServerConfig.text(.init(salt: salt, adminKey: adminKey, allow: allow, listen: listen), path: paths.serverConfig)
            }
            let key = try ManagedInit.write(
                paths: paths, configPath: paths.serverConfig, keyFileName: ManagedServerConfig.keyFileName,
                configText: text, force: force, command: "hyperion-server init"
            )
            printError("wrote \(paths.serverConfig) and the server key \(paths.configDirectory)/\(ManagedServerConfig.keyFileName) (mode 0600); its public key:")
            print(key.publicKey.base64)
            printError("next, on the admin's machine: hyperion-client add-server NAME HOST:PORT \(key.publicKey.base64)")
        }
    }

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the server in the background, as `run` does, with a control socket for status and down.",
            discussion: """
                Asks for the passphrase once (without echo) unless HYPERION_PASSPHRASE or the \
                configured passphrase_env is set; it reaches the daemon over a pipe, never its \
                environment or arguments. Returns once the server listens, or prints why it \
                could not start. Its socket, pid file and log are in the runtime directory: \
                HYPERION_RUNTIME_DIR, else /run/hyperion for root, else $XDG_RUNTIME_DIR/hyperion. \
                The firewall is never applied automatically: see print-firewall.
                """
        )

        @Option(name: .long, help: ArgumentHelp("Server config file (default: server.toml in the user config directory).", valueName: "file"))
        var config: String?

        @OptionGroup var daemon: DaemonStartOptions

        func run() throws {
            if daemon.foreground {
                try RunServerDaemon.foreground(
                    configPath: config, secretDescriptor: daemon.secretDescriptor, readyDescriptor: daemon.readyDescriptor, logLevel: daemon.logLevel
                )
            } else {
                try RunServerDaemon.up(configPath: config, logLevel: daemon.logLevel)
            }
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the server daemon: open streams drain (drain_timeout_ms), then it exits.")

        func run() throws {
            try RunServerDaemon.down()
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the server daemon: connected admins (key, address, since, streams, bytes) and knocks by outcome.",
            discussion: "With the daemon down, says so and shows what its config sets up."
        )

        @Option(name: .long, help: ArgumentHelp("Server config file, for what is shown while the daemon is down (default: server.toml in the user config directory).", valueName: "file"))
        var config: String?

        @Flag(name: .long, help: "Print the status as JSON.")
        var json = false

        func run() throws {
            try RunServerDaemon.status(configPath: config, json: json)
        }
    }
}
