import Testing
@testable import HyperionConfig

/// `hyperion-client ssh-config` (issue 19, item 2).
@Suite struct SSHConfigBlockTests {
    let servers: [ClientConfig.Server] = {
        let text = ManagedClientConfig.initialText(salt: "0123456789abcdef") + """

            [[server]]
            name = "web1"
            addr = "203.0.113.10:8443"
            server_pubkey = "\(Fixtures.serverA)"

            [[server]]
            name = "db"
            addr = "db.example.com:8443"
            server_pubkey = "\(Fixtures.serverB)"
            """
        return try! ClientConfig.parse(text: text, path: "client.toml").servers
    }()

    @Test func aWildcardForTheDomainAndAnAliasPerServer() {
        let text = SSHConfigBlock.render(program: "/usr/bin/hyperion-client", config: nil, servers: servers)
        let lines = text.split(separator: "\n").map { String($0.drop(while: \.isWhitespace)) }
        #expect(lines.contains("Host *.hyperion"))
        #expect(lines.contains("ProxyCommand /usr/bin/hyperion-client connect %h %p"))
        for name in ["web1", "db"] {
            let host = lines.firstIndex(of: "Host \(name)")
            #expect(host != nil, "\(text)")
            guard let host else { continue }
            #expect(lines[host + 1] == "HostKeyAlias \(name).hyperion")
            #expect(lines[host + 2] == "ProxyCommand /usr/bin/hyperion-client connect \(name) %p")
        }
    }

    /// ssh runs ProxyCommand with `sh -c` after expanding its own `%` escapes: a path with a
    /// space, a quote or a percent sign must reach the shell as one word, unchanged.
    @Test func oddPathsAreQuotedForTheShellAndForSsh() {
        let text = SSHConfigBlock.render(program: "/opt/my tools/hyperion-client", config: "/home/a/it's 100%.toml", servers: [])
        #expect(text.contains(#"ProxyCommand '/opt/my tools/hyperion-client' connect --config '/home/a/it'\''s 100%%.toml' %h %p"#), "\(text)")
    }
}
