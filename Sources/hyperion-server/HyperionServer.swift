import ArgumentParser
import HyperionCommandLine

@main
struct HyperionServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hyperion-server",
        abstract: "The server end of a Hyperion tunnel: hidden behind a default-drop firewall, opened by an authenticated knock.",
        discussion: """
            The config file defaults to server.toml in the user config directory \
            ($HYPERION_HOME, else $XDG_CONFIG_HOME/hyperion, else ~/.config/hyperion).
            """,
        version: HyperionVersion.line(program: "hyperion-server"),
        subcommands: [
            Run.self, Keygen.self, PrintFirewall.self, Init.self, Up.self, Down.self, Status.self,
        ]
    )
}
