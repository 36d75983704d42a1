import ArgumentParser
import HyperionCommandLine

@main
struct HyperionClient: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hyperion-client",
        abstract: "The admin end of a Hyperion tunnel: knock, connect directly, forward ports over Noise and yamux.",
        discussion: """
            The config file defaults to client.toml in the user config directory \
            ($HYPERION_HOME, else $XDG_CONFIG_HOME/hyperion, else ~/.config/hyperion).
            """,
        version: HyperionVersion.line(program: "hyperion-client"),
        subcommands: [
            Run.self, Connect.self, SSHConfig.self, Keygen.self, Doctor.self, Tun.self, PrintRoutes.self,
            Init.self, AddServer.self, RmServer.self, Ls.self, Up.self, Down.self, Status.self,
        ]
    )
}
