import Testing
@testable import HyperionConfig

/// Runs `body`, expects a `ConfigError` of `kind` whose message contains every fragment,
/// and returns it for further checks.
@discardableResult
func expectConfigError<T>(
    _ kind: ConfigError.Kind,
    mentioning fragments: [String],
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) -> ConfigError? {
    do {
        let value = try body()
        Issue.record("expected a \(kind) error, but got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let error as ConfigError {
        #expect(error.kind == kind, "message: \(error.message)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.message.contains(fragment), "\(fragment.debugDescription) not in: \(error.message)", sourceLocation: sourceLocation)
        }
        return error
    } catch {
        Issue.record("expected ConfigError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A config that must be refused: its text, the error kind, and what the message must name.
struct BadConfig: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var kind: ConfigError.Kind
    var mentions: [String]

    init(_ name: String, _ text: String, _ kind: ConfigError.Kind, _ mentions: [String]) {
        self.name = name
        self.text = text
        self.kind = kind
        self.mentions = mentions
    }

    var testDescription: String { name }
}
