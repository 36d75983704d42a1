import NIOCore
import Testing
@testable import HyperionWire

/// Opt-in and marker ordering: neither side sends a marker before it knows the other
/// accepts it, and a marker that comes before that is a protocol error.
@Suite struct RekeyNegotiationTests {
    func negotiation(_ role: RekeyNegotiation.Role) -> RekeyNegotiation {
        RekeyNegotiation(role: role, policy: .standard, keySince: .uptimeNanoseconds(0))
    }

    @Test func bothSidesInOrder() throws {
        var server = negotiation(.server)
        var client = negotiation(.client)
        #expect(!server.acceptsMarkers && !client.acceptsMarkers)

        // Server → client: the announcement. The client accepts markers before it opts in.
        #expect(client.pingReceived() == .sendOptIn)
        #expect(client.acceptsMarkers)
        #expect(client.state == .optedIn)

        // Client → server: the opt-in. The server starts at once with its confirmation.
        #expect(server.pingReceived() == .startSending(markerAtOnce: true))
        #expect(server.acceptsMarkers)
        #expect(server.state == .agreed)

        // Server → client: the first marker; only now does the client start its own.
        #expect(try client.markerReceived() == .startSending(markerAtOnce: false))
        #expect(client.state == .agreed)
        #expect(try client.markerReceived() == .nothing)
        #expect(try server.markerReceived() == .nothing)
        #expect(client.markersReceived == 2)
        #expect(server.markersReceived == 1)
    }

    @Test func repeatedPingsChangeNothing() {
        var server = negotiation(.server)
        var client = negotiation(.client)
        #expect(client.pingReceived() == .sendOptIn)
        #expect(client.pingReceived() == .nothing)
        #expect(server.pingReceived() == .startSending(markerAtOnce: true))
        #expect(server.pingReceived() == .nothing)
    }

    /// The server announced; a client that never opted in (a v1 client, or a Hyperion
    /// client with rekeying off) must not be able to make it switch keys.
    @Test func markerFromAClientThatDidNotOptInIsAnError() {
        var server = negotiation(.server)
        #expect(throws: RekeyNegotiation.unexpectedMarker) { try server.markerReceived() }
        #expect(server.markersReceived == 0)
        #expect(server.state == .announced)
    }

    /// A server that never announced (v1) cannot send one either.
    @Test func markerFromAServerThatNeverAnnouncedIsAnError() {
        var client = negotiation(.client)
        #expect(throws: RekeyNegotiation.unexpectedMarker) { try client.markerReceived() }
        #expect(client.state == .waitingForAnnouncement)
    }

    @Test func theErrorIsAFrameLengthError() {
        #expect(RekeyNegotiation.unexpectedMarker.kind == .invalidFrameLength)
    }
}
