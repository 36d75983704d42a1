/// The checks that tie forwards to the rest of the client config, shared by `[[forward]]`
/// and `-L`: the server must exist, and no two forwards may want the same local port.
enum ForwardRules {
    /// A forward and how messages name it: `[[forward]] #2` or `-L 2201:web1:22`.
    struct Entry {
        var forward: Forward
        var label: String
    }

    static func check(_ entries: [Entry], servers: [ClientConfig.Server], file: String) throws {
        let names = servers.map(\.name)
        for (index, entry) in entries.enumerated() {
            guard names.contains(entry.forward.server) else {
                throw ConfigError(
                    .unknownServer, file: file,
                    "\(entry.label) names server \(Quoted(entry.forward.server)), which no [[server]] defines; known: \(names.joined(separator: ", "))"
                )
            }
            if let earlier = entries[..<index].first(where: { $0.forward.local.overlaps(entry.forward.local) }) {
                throw ConfigError(
                    .duplicate, file: file,
                    "\(entry.label) (local \(entry.forward.local)) and \(earlier.label) (local \(earlier.forward.local)) "
                        + "both listen on port \(entry.forward.local.port); give one of them another local port"
                )
            }
        }
    }
}

extension ClientConfig {
    /// This config with the `-L` forwards `specs` added, each parsed with
    /// `Forward(adHoc:)` and checked like a `[[forward]]`: the server must exist and the
    /// local port must not clash with the config's forwards or another `-L`.
    public func addingAdHocForwards(_ specs: [String]) throws -> ClientConfig {
        var entries = forwards.enumerated().map { ForwardRules.Entry(forward: $1, label: "[[forward]] #\($0 + 1)") }
        for spec in specs {
            entries.append(.init(forward: try Forward(adHoc: spec), label: "-L \(Quoted(spec))"))
        }
        try ForwardRules.check(entries, servers: servers, file: path)
        var result = self
        result.forwards = entries.map(\.forward)
        return result
    }
}
