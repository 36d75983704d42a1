import Foundation

/// Runs `ip` to look at what the device code did (the code under test never runs it).
enum IPCommand {
    static let path = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `ip arguments…`: its exit status and stdout (stderr is discarded).
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let path else { throw Failure(description: "ip is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `ip -j addr show dev NAME`, parsed: the one interface object.
    static func interface(_ name: String) throws -> [String: Any] {
        let (status, output) = try run(["-j", "addr", "show", "dev", name])
        guard status == 0, let list = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]],
            let first = list.first
        else { throw Failure(description: "ip -j addr show dev \(name) exited \(status): \(output)") }
        return first
    }

    static func linkExists(_ name: String) -> Bool {
        (try? run(["link", "show", name]).status) == 0
    }
}
