import ArgumentParser

/// The options `up` takes in both programs. `--secret-fd` and `--ready-fd` are how `up`
/// hands the daemon it starts the passphrase and a way to report back (`DaemonLauncher`);
/// they are not for people, so they stay out of the help.
public struct DaemonStartOptions: ParsableArguments {
    @Flag(name: .long, help: "Run in the current shell instead of detaching (for systemd, or to watch the log).")
    public var foreground = false

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice (default), warning, error or critical. Overrides HYPERION_LOG.", valueName: "level"))
    public var logLevel: String?

    @Option(name: .customLong("secret-fd"), help: ArgumentHelp(visibility: .private))
    public var secretDescriptor: Int32?

    @Option(name: .customLong("ready-fd"), help: ArgumentHelp(visibility: .private))
    public var readyDescriptor: Int32?

    public init() {}
}
