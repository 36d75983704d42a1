/// Paths inside a config file are relative to the config file, not to the directory the
/// program happens to be started from, so `static_key_file = "server.key"` means the key
/// next to `server.toml`.
enum RelativePath {
    /// `path` if absolute, else `path` inside the directory that holds `configFile`.
    static func resolve(_ path: String, besides configFile: String) -> String {
        if path.hasPrefix("/") { return path }
        let directory = directory(of: configFile)
        switch directory {
        case ".": return path
        case "/": return "/" + path
        default: return directory + "/" + path
        }
    }

    /// The directory part of `file`: `"."` for a bare name, `"/"` for a file in the root.
    static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "." }
        return slash == file.startIndex ? "/" : String(file[..<slash])
    }
}
