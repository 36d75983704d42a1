// `--name value` options of one subcommand: bounded integers and plain strings.

struct BenchOptions {
    private var integers: [String: Int] = [:]
    private var strings: [String: String] = [:]

    /// Parses `arguments`; an option not in `integers` or `strings`, a missing value or an
    /// integer out of its range prints the usage and exits.
    init(_ arguments: ArraySlice<String>, integers allowed: [String: ClosedRange<Int>], strings names: Set<String> = []) {
        var arguments = arguments
        while let option = arguments.popFirst() {
            guard let text = arguments.popFirst() else { Self.reject(option) }
            if names.contains(option) {
                strings[option] = text
            } else if let range = allowed[option], let value = Int(text), range.contains(value) {
                integers[option] = value
            } else {
                Self.reject(option)
            }
        }
    }

    subscript(integer name: String) -> Int? { integers[name] }
    subscript(string name: String) -> String? { strings[name] }

    /// A required option: its absence prints the usage and exits.
    func required(_ name: String) -> String {
        guard let value = strings[name] ?? integers[name].map(String.init) else {
            printError("hyperion-bench: \(name) is required\n")
            usage()
        }
        return value
    }

    private static func reject(_ option: String) -> Never {
        printError("hyperion-bench: bad option \(option)\n")
        usage()
    }
}
