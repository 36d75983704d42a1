#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import HyperionCrypto
import TOMLKit

/// The client config that managed mode writes and edits (`init`, `add-server`,
/// `rm-server`): plain `client.toml`, the same format a hand-written one uses.
///
/// Edits work on the text, so comments and anything an admin added by hand stay as they
/// were, and every edited text is parsed in full before it is written: an edit that would
/// leave a config the client refuses is refused itself, and the file is not touched.
public enum ManagedClientConfig {
    /// The key file `init` makes next to the config.
    public static let keyFileName = "admin.key"

    /// What `hyperion-client init` writes: the admin key's file, the fleet key from a
    /// passphrase with `salt`, knocking on (managed servers hide behind SPA), and TUN mode's
    /// defaults. No server yet.
    public static func initialText(salt: String) -> String {
        """
        # Hyperion client config, made by `hyperion-client init`.
        # `hyperion-client add-server` and `rm-server` edit the [[server]] tables below;
        # editing by hand is fine too (comments stay).

        admin_static_key_file = \(TOMLText.string(keyFileName))

        # The shared key comes from a passphrase, asked for when the client starts (or read
        # from passphrase_env), stretched with Argon2id and this salt. Every server gets the
        # same salt with `hyperion-server init --salt`.
        [key]
        source = "passphrase"
        salt = \(TOMLText.string(salt))

        # Knock (single packet authorization) before each connection: the servers' firewalls
        # open the tunnel port only to a knocked address.
        [knock]
        enabled = true

        # TUN mode: every server is reached at its fake_ip / fake_ip6 on this device.
        [tun]

        """
    }

    /// A new random salt for `init`: 16 bytes from the system's CSPRNG, as 32 hex digits
    /// (safe to paste into a shell and into TOML).
    public static func randomSalt() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }.joined()
    }

    public struct Added: Sendable, Hashable {
        public let text: String
        public let server: ClientConfig.Server
    }

    /// `text` with a new `[[server]]` at the end, given the next free fake addresses.
    public static func adding(name: String, address: String, publicKey: String, to text: String, path: String) throws -> Added {
        let config = try ClientConfig.parse(text: text, path: path, allowingNoServers: true)
        guard NameRules.isServerName(name) else {
            throw ConfigError(.invalidValue, "server name \(Quoted(name)): a name is 1-63 letters, digits, \".\", \"_\" or \"-\", starting with a letter or digit (for example web1)")
        }
        // The name is also a DNS name, NAME.hyperion: no empty label, and unique ignoring case.
        guard !name.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
            throw ConfigError(.invalidValue, "server name \(Quoted(name)): a dot may only separate two parts (it becomes the DNS name \(name).hyperion); for example web1.prod")
        }
        if let existing = config.servers.first(where: { $0.name.lowercased() == name.lowercased() }) {
            let same = existing.name == name ? "a server called \(Quoted(name))" : "\(Quoted(existing.name)), the same name in other letter case (DNS names ignore case),"
            throw ConfigError(.duplicate, file: path, "\(same) is already configured; pick another name, or remove it first with `hyperion-client rm-server \(existing.name)`")
        }
        do {
            _ = try HostAndPort(parsing: address)
        } catch {
            throw ConfigError(.invalidValue, "address \(Quoted(address)) \(error.reason); write it as HOST:PORT, for example 203.0.113.10:8443 or [2001:db8::1]:8443")
        }
        let key: X25519PublicKey
        do {
            key = try X25519PublicKey(base64: publicKey, what: "the server's public key")
        } catch let error as HyperionCryptoError {
            throw ConfigError(.invalidValue, KeyTextProblem.message(
                for: error, text: publicKey, what: "the server's public key", todo: "paste the public key that `hyperion-server init` printed"
            ))
        }
        guard let fake = FakeAddressAllocator.next(for: config) else {
            throw ConfigError(.invalidValue, file: path, "no free fake address is left in the TUN's subnet \(config.tun.subnet); remove a server, or widen [tun] prefix")
        }
        var edited = text
        if !edited.isEmpty, !edited.hasSuffix("\n") { edited += "\n" }
        edited += """

            [[server]]
            name = \(TOMLText.string(name))
            addr = \(TOMLText.string(address))
            server_pubkey = \(TOMLText.string(key.base64))
            fake_ip = \(TOMLText.string(fake.v4.description))
            fake_ip6 = \(TOMLText.string(fake.v6.description))

            """
        let result = try ClientConfig.parse(text: edited, path: path, allowingNoServers: true)
        guard let server = result.server(named: name), result.servers.count == config.servers.count + 1 else {
            throw ConfigError(.syntax, file: path, "adding the server would not leave a config with it as a new [[server]]; check the file's last table by hand")
        }
        return Added(text: edited, server: server)
    }

    /// `text` without the `[[server]]` called `name`.
    public static func removing(name: String, from text: String, path: String) throws -> String {
        let config = try ClientConfig.parse(text: text, path: path, allowingNoServers: true)
        guard config.server(named: name) != nil else {
            let known = config.servers.map(\.name)
            throw ConfigError(.unknownServer, file: path, "no server called \(Quoted(name))" + (known.isEmpty ? "; none is configured" : "; configured: \(known.joined(separator: ", "))"))
        }
        if let forward = config.forwards.first(where: { $0.server == name }) {
            throw ConfigError(.conflict, file: path, "a [[forward]] (local \(forward.local)) goes to \(Quoted(name)); remove that [[forward]] first")
        }
        let blocks = ServerBlocks(text: text)
        let matching = blocks.ranges.filter { blocks.name(of: $0) == name }
        guard matching.count == 1, let range = matching.first else {
            throw ConfigError(.syntax, file: path, "cannot find the [[server]] table of \(Quoted(name)) as a block of its own; remove it by hand")
        }
        let edited = blocks.text(without: range)
        let result = try ClientConfig.parse(text: edited, path: path, allowingNoServers: true)
        guard result.servers.map(\.name) == config.servers.map(\.name).filter({ $0 != name }) else {
            throw ConfigError(.syntax, file: path, "removing the [[server]] table of \(Quoted(name)) would change other tables; remove it by hand")
        }
        return edited
    }
}

/// The `[[server]]` tables of a config's text, as line ranges: from the header to the
/// line before the next table header (blank lines and comments before that header go
/// with the table they precede).
struct ServerBlocks {
    let lines: [Substring]
    let ranges: [Range<Int>]

    init(text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        self.lines = lines
        let headers = lines.indices.filter { Self.isTableHeader(lines[$0]) }
        var ranges: [Range<Int>] = []
        for (number, header) in headers.enumerated() where Self.isServerHeader(lines[header]) {
            let isLast = number + 1 == headers.count
            var end = isLast ? lines.count : headers[number + 1]
            // Leave the next table's own leading comments and blank lines with it.
            while !isLast, end > header + 1, Self.isBlankOrComment(lines[end - 1]) {
                end -= 1
            }
            ranges.append(header..<end)
        }
        self.ranges = ranges
    }

    /// The `name` of the table in `range`, read by parsing its lines on their own.
    func name(of range: Range<Int>) -> String? {
        let body = lines[(range.lowerBound + 1)..<range.upperBound].joined(separator: "\n")
        return (try? TOMLTable(string: body))?["name"]?.string
    }

    /// The text without the lines of `range` and the blank line before it, if any.
    func text(without range: Range<Int>) -> String {
        var start = range.lowerBound
        if start > 0, lines[start - 1].allSatisfy(\.isWhitespace) { start -= 1 }
        return (lines[..<start] + lines[range.upperBound...]).joined(separator: "\n")
    }

    static func isTableHeader(_ line: Substring) -> Bool {
        line.drop(while: \.isWhitespace).hasPrefix("[")
    }

    static func isServerHeader(_ line: Substring) -> Bool {
        let compact = line.filter { !$0.isWhitespace }
        return compact == "[[server]]" || compact.hasPrefix("[[server]]#")
    }

    static func isBlankOrComment(_ line: Substring) -> Bool {
        let trimmed = line.drop(while: \.isWhitespace)
        return trimmed.isEmpty || trimmed.hasPrefix("#")
    }
}

extension ManagedClientConfig {
    /// Whether a file is at `path`.
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Reads the config at `path`, applies `transform` to its text, and replaces the file
    /// atomically with the result (mode 0600). If `transform` throws, the file is untouched.
    /// Edits hold a lock on the config's directory, so two `add-server` at once both land.
    public static func edit(path: String, _ transform: (String) throws -> String) throws {
        let directory = open(RelativePath.directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else {
            throw ConfigError(.unreadable, file: path, "cannot open the config's directory: \(AtomicFileSet.errnoText())")
        }
        defer { close(directory) }
        while flock(directory, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw ConfigError(.unreadable, file: path, "cannot lock the config's directory: \(AtomicFileSet.errnoText())")
            }
        }
        let text = try ConfigFileText.contents(at: path)
        let edited = try transform(text)
        try AtomicFileSet.replace(path, with: edited, mode: 0o600, what: "the client config")
    }
}
