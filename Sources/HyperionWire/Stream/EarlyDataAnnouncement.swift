/// Hyperion's one extension to the v1 stream protocol, built so that a v1 peer never sees
/// anything but v1.
///
/// PROTOCOL.md §6 has the client write the port, then wait for the server's answer before
/// it relays: two round trips before the first reply byte. A Hyperion server reads
/// whatever follows the port request and holds it (in the stream's receive window, so
/// bounded) until its dial of 127.0.0.1 succeeded, then passes it on; after a refusal it is
/// dropped with the stream. A client may therefore send its first data right behind the
/// port request — but only to a server known to behave so.
///
/// The server says so once per session with an ordinary yamux ping (SYN) whose opaque value
/// is `pingOpaque`. A v1 client answers it like any ping (ACK, same value) and learns
/// nothing; a Hyperion client that sees it relays at once on that session's later streams.
/// A v1 server never sends this value on purpose; one that sends random ping values hits
/// it with probability 2⁻³² per ping, and then only gets early data, which a server that
/// reads the port and then relays the stream handles anyway.
public enum EarlyDataAnnouncement {
    /// "HYED": HYperion Early Data.
    public static let pingOpaque: UInt32 = 0x4859_4544
}
