import FuzzSupport
import HyperionConfig

// The server and client TOML parsers (TOMLKit's toml++ behind our preflight and table
// readers) fed arbitrary text. Either may accept or refuse; refusing must be a ConfigError
// (a message for the user), never a crash or another error type.

@main enum Main {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(data, size)
    let text = String(decoding: reader.rest(), as: UTF8.self)
    do { _ = try ServerConfig.parse(text: text, path: "fuzz.toml") } catch {
        precondition(error is ConfigError, "the server parser threw \(type(of: error)): \(error)")
    }
    do { _ = try ClientConfig.parse(text: text, path: "fuzz.toml") } catch {
        precondition(error is ConfigError, "the client parser threw \(type(of: error)): \(error)")
    }
    return 0
}
