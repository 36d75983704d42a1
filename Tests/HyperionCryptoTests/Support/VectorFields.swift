import Foundation
import Testing

/// The `key=value` lines of a bundled vector file `Vectors/<name>.txt` (`#` starts a
/// comment line), for files that hold one vector each.
enum VectorFields {
    static func load(_ name: String) throws -> [String: String] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Vectors"))
        let text = try String(contentsOf: url, encoding: .utf8)
        var fields = [String: String]()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return fields
    }
}
