#if os(Linux)
import Glibc

/// The one error type of `HyperionTun`. Every message says what is wrong and what to do.
public struct TunError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A configuration value the kernel cannot take (name length, MTU, prefix length).
        public static let invalidConfiguration = Kind("invalidConfiguration")
        /// Opening, configuring or addressing the device failed in the kernel.
        public static let systemCallFailed = Kind("systemCallFailed")
        /// The packet loop was started twice, or after it stopped.
        public static let invalidState = Kind("invalidState")
    }

    public let kind: Kind
    public let message: String
    /// The errno value behind a `systemCallFailed`, 0 otherwise.
    public let code: Int32

    public init(_ kind: Kind, _ message: String, code: Int32 = 0) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    public var description: String { message }

    /// A failed call: what was attempted, the errno text and a hint for the user.
    static func systemCall(_ what: String, _ code: Int32, hint: String = "") -> TunError {
        TunError(.systemCallFailed, "\(what) failed: \(String(cString: strerror(code)))\(hint)", code: code)
    }
}
#endif
