/// nmap SYN scans from inside a test host: what an attacker's first look at the server
/// would show.
enum PortScan {
    struct Report: Sendable {
        let output: String

        /// Lines like `8443/tcp open  https`.
        var openPorts: [Int] {
            output.split(separator: "\n").compactMap { line in
                let fields = line.split(whereSeparator: \.isWhitespace)
                guard fields.count >= 2, fields[1] == "open", fields[0].hasSuffix("/tcp") else { return nil }
                return Int(fields[0].dropLast(4))
            }
        }
    }

    /// `-Pn -sS` on `ports`. The timing options keep 1025 filtered ports to about a second
    /// and a half (nmap's defaults take twenty); every port still gets a retry.
    static func synScan(from source: NetworkHost, target: String, family: AddressFamily, ports: String) async throws -> Report {
        var argv = ["nmap", "-Pn", "-sS", "-n", "-T4", "--max-retries", "1", "--min-rate", "2000",
                    "--max-rtt-timeout", "500ms", "-p", ports]
        if family == .v6 { argv.append("-6") }
        let output = try await source.check(argv + [target], timeout: .seconds(60))
        return Report(output: output)
    }
}
