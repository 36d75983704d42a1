/// `hyperion-client ssh-config`: an ssh_config block that sends ssh through
/// `hyperion-client connect`, to paste into `~/.ssh/config` or to `Include`.
public enum SSHConfigBlock {
    /// `program`: the absolute path of hyperion-client; `config`: the config file when one
    /// was given (else `connect` finds the default one). Every server gets a `Host NAME` alias whose host key is remembered under
    /// `NAME.hyperion`, so `ssh web1` and `ssh web1.hyperion` share one known_hosts entry.
    public static func render(program: String, config: String?, servers: [ClientConfig.Server]) -> String {
        let words = [program, "connect"] + (config.map { ["--config", $0] } ?? [])
        let connect = words.map(shellQuoted).joined(separator: " ")
        var text = """
            # Hyperion: ssh to each server through its tunnel, with no local port.
            # Paste into ~/.ssh/config, or save as a file and `Include` it there.
            Host *.\(ServerLookup.domain)
                ProxyCommand \(connect) %h %p

            """
        for server in servers {
            text += """

                Host \(server.name)
                    HostKeyAlias \(server.name).\(ServerLookup.domain)
                    ProxyCommand \(connect) \(server.name) %p

                """
        }
        return text
    }

    /// A word for the shell that runs ProxyCommand: as is when it is plain, else in single
    /// quotes (ssh hands the line to `sh -c`; `%` is ssh's own escape, so it is doubled).
    static func shellQuoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || "/._-+=:,@".utf8.contains(byte)
        }
        let escaped = word.replacing("%", with: "%%")
        return plain ? escaped : "'" + escaped.replacing("'", with: "'\\''") + "'"
    }
}
