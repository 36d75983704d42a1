/// A fixture that does not behave as the benchmark assumes: a bug in the benchmark.
struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
