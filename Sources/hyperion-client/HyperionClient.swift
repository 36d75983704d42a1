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
        subcommands: [
            Run.self, Connect.self, Keygen.self, Doctor.self, Tun.self, PrintRoutes.self,
            Init.self, AddServer.self, RmServer.self, Ls.self, Up.self, Down.self, Status.self,
        ]
    )
}
