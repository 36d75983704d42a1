import HyperionConfig

/// The passphrase for `up`: read once by the command, handed to the daemon over a pipe.
public enum DaemonSecret {
    /// The variable `up` reads the passphrase from before asking, whatever the config says.
    public static let variable = "HYPERION_PASSPHRASE"

    /// The passphrase `source` needs, from `HYPERION_PASSPHRASE`, the source's
    /// `passphrase_env`, or the terminal (without echo); nil when the source is not a
    /// passphrase (the daemon resolves such a key itself). Both variables are taken out of
    /// this process's environment, so the daemon never inherits them.
    public static func passphrase(
        for source: KeySource?, origin: String, environment: SecretEnvironment = .process,
        ask: (String) throws -> String = { try PassphrasePrompt().ask($0) }
    ) throws -> String? {
        guard case let .passphrase(_, configured)? = source else { return nil }
        let fromGeneral = environment.take(variable)
        let fromConfigured = configured.flatMap { environment.take($0) }
        if let text = fromGeneral ?? fromConfigured, !text.isEmpty { return text }
        let text = try ask("Passphrase for the Hyperion shared key (\(origin)): ")
        guard !text.isEmpty else {
            throw CommandFailure("the passphrase for \(origin) is empty; type the passphrase the servers were set up with")
        }
        return text
    }

    /// A resolver that answers every passphrase question with `passphrase` (what `up`
    /// handed over), whether the source asks the terminal or names a variable in
    /// `passphraseVariables`; other secrets (`key_env`) come from the environment as usual.
    public static func resolver(handing passphrase: String?, passphraseVariables: Set<String>) -> KeySourceResolver {
        guard let passphrase else { return KeySourceResolver() }
        let process = SecretEnvironment.process
        return KeySourceResolver(
            environment: SecretEnvironment(
                read: { passphraseVariables.contains($0) ? passphrase : process.read($0) },
                remove: { if !passphraseVariables.contains($0) { process.remove($0) } }
            ),
            askPassphrase: { _ in passphrase }
        )
    }

    /// The `passphrase_env` variables `sources` name.
    public static func passphraseVariables(_ sources: [KeySource?]) -> Set<String> {
        Set(sources.compactMap { source in
            if case let .passphrase(_, variable?)? = source { variable } else { nil }
        })
    }
}
