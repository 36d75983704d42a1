/// How two Hyperion peers agree to rekey their transport (PROTOCOL.md §10.3), with yamux
/// pings as early data is announced (`EarlyDataAnnouncement`), so a v1 peer never takes
/// part: it only ever answers a ping.
///
/// The server sends a ping (SYN, stream 0) with `pingOpaque` as each session starts. A
/// Hyperion client that wants rekeying answers it like any ping and also sends its own
/// ping with the same value: its opt-in. A v1 client only answers; a v1 server never sends
/// the value, so a Hyperion client never opts in with it. The server confirms the opt-in
/// by rekeying its sending direction at once (`RekeyNegotiation`).
public enum RekeyAnnouncement {
    /// "HYRK": HYperion ReKey.
    public static let pingOpaque: UInt32 = 0x4859_524B
}
