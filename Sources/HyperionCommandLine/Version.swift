/// What `--version` prints on both programs: this build's version and the wire protocol it
/// speaks (PROTOCOL.md), which is what decides whether two ends can talk.
public enum HyperionVersion {
    public static let number = "0.1.0"
    public static let protocolVersion = 1

    public static func line(program: String) -> String {
        "\(program) \(number) (protocol v\(protocolVersion))"
    }
}
