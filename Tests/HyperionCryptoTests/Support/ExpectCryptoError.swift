import Testing
@testable import HyperionCrypto

/// Expects `body` to throw a `HyperionCryptoError` of `kind`.
func expectCryptoError<Result>(
    _ kind: HyperionCryptoError.Kind,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Result
) {
    do {
        _ = try body()
        Issue.record("expected a \(kind) error, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as HyperionCryptoError {
        #expect(error.kind == kind, "expected \(kind), got \(error.kind): \(error.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a \(kind) error, got \(error)", sourceLocation: sourceLocation)
    }
}
