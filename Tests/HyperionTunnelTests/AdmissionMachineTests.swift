import NIOCore
import Testing
@testable import HyperionTunnel

@Suite struct AdmissionMachineTests {
    let start = NIODeadline.uptimeNanoseconds(5_000_000_000)
    let attacker = SourceKey.ipv4(0x0A00_0001)
    let admin = SourceKey.ipv4(0x0A00_0002)

    func limits(global: Int = 100, perSource: Int = 4, rate: Int = 1000, burst: Int = 1000, authenticated: Int = 2) -> AdmissionLimits {
        var limits = AdmissionLimits()
        limits.maximumUnauthenticated = global
        limits.maximumUnauthenticatedPerSource = perSource
        limits.handshakesPerSecond = rate
        limits.handshakeBurst = burst
        limits.maximumAuthenticated = authenticated
        limits.handshakeTimeout = .seconds(3)
        return limits
    }

    func ticket(_ decision: AdmissionMachine.Decision) -> AdmissionTicket? {
        if case let .admit(ticket) = decision { return ticket }
        return nil
    }

    @Test func perSourceLimitLeavesOtherSourcesIn() {
        let machine = Machine(limits: limits(perSource: 4))
        var held: [AdmissionTicket] = []
        for _ in 0..<4 { held.append(ticket(machine.admit(from: attacker, now: start))!) }
        #expect(machine.admit(from: attacker, now: start) == .refuse(.perSourceLimit))
        #expect(ticket(machine.admit(from: admin, now: start)) != nil)
        machine.closed(held.removeLast(), wasAuthenticated: false)
        #expect(ticket(machine.admit(from: attacker, now: start)) != nil, "a closed connection gives its slot back")
    }

    @Test func globalLimitCountsEverySource() {
        let machine = Machine(limits: limits(global: 6, perSource: 2))
        for host in UInt32(1)...3 {
            for _ in 0..<2 { #expect(ticket(machine.admit(from: .ipv4(host), now: start)) != nil) }
        }
        #expect(machine.admit(from: .ipv4(9), now: start) == .refuse(.unauthenticatedLimit))
        #expect(machine.unauthenticated == 6)
    }

    @Test func ipv6CountsPer64() {
        let machine = Machine(limits: limits(perSource: 2))
        let inside = SourceKey(ipv6: [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 7) + [1])
        let sameSlash64 = SourceKey(ipv6: [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 1] + [UInt8](repeating: 0xEE, count: 8))
        let otherSlash64 = SourceKey(ipv6: [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 2] + [UInt8](repeating: 0, count: 8))
        #expect(inside == sameSlash64)
        #expect(ticket(machine.admit(from: inside, now: start)) != nil)
        #expect(ticket(machine.admit(from: sameSlash64, now: start)) != nil)
        #expect(machine.admit(from: sameSlash64, now: start) == .refuse(.perSourceLimit))
        #expect(ticket(machine.admit(from: otherSlash64, now: start)) != nil)
    }

    @Test func ipv4MappedAddressesCountAsIPv4() throws {
        let mapped = SourceKey(ipv6: [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 10, 0, 0, 1])
        #expect(mapped == attacker)
        #expect(SourceKey(try SocketAddress(ipAddress: "10.0.0.1", port: 1)) == attacker)
        #expect(SourceKey(try SocketAddress(ipAddress: "::ffff:10.0.0.1", port: 1)) == attacker)
        #expect(SourceKey(try SocketAddress(ipAddress: "2001:db8::1", port: 1)).description == "2001:db8:0:0::/64")
    }

    @Test func rateAllowsABurstThenOnePerInterval() {
        let machine = Machine(limits: limits(perSource: 100, rate: 10, burst: 3))
        for _ in 0..<3 { machine.closed(ticket(machine.admit(from: attacker, now: start))!, wasAuthenticated: false) }
        #expect(machine.admit(from: attacker, now: start) == .refuse(.handshakeRate))
        #expect(machine.admit(from: attacker, now: start + .milliseconds(99)) == .refuse(.handshakeRate))
        #expect(ticket(machine.admit(from: attacker, now: start + .milliseconds(100))) != nil)
        #expect(machine.admit(from: attacker, now: start + .milliseconds(150)) == .refuse(.handshakeRate))
        #expect(ticket(machine.admit(from: admin, now: start)) != nil, "the rate is per source")
        // After a quiet second the whole burst is back.
        let later = start + .seconds(2)
        for _ in 0..<3 { #expect(ticket(machine.admit(from: attacker, now: later)) != nil) }
        #expect(machine.admit(from: attacker, now: later) == .refuse(.handshakeRate))
    }

    @Test func authenticatedAreCountedApart() {
        let machine = Machine(limits: limits(global: 4, perSource: 4, authenticated: 2))
        let first = ticket(machine.admit(from: admin, now: start))!
        let second = ticket(machine.admit(from: admin, now: start))!
        #expect(machine.proven(first, now: start + .milliseconds(10)) == .authenticated)
        #expect(machine.proven(second, now: start + .milliseconds(10)) == .authenticated)
        #expect(machine.authenticated == 2 && machine.unauthenticated == 0)
        // Unauthenticated connections fill their own slots, never the admins'.
        var attackers: [AdmissionTicket] = []
        for _ in 0..<4 { attackers.append(ticket(machine.admit(from: attacker, now: start))!) }
        #expect(machine.admit(from: attacker, now: start) == .refuse(.perSourceLimit))
        #expect(machine.authenticated == 2)
        // A third admin proves itself but max_connections is reached.
        for held in attackers { machine.closed(held, wasAuthenticated: false) }
        let third = ticket(machine.admit(from: admin, now: start))!
        #expect(machine.proven(third, now: start + .milliseconds(10)) == .refuse(.authenticatedLimit))
        machine.closed(third, wasAuthenticated: false)
        machine.closed(first, wasAuthenticated: true)
        let fourth = ticket(machine.admit(from: admin, now: start))!
        #expect(machine.proven(fourth, now: start + .milliseconds(10)) == .authenticated)
        #expect(machine.authenticated == 2 && machine.unauthenticated == 0)
    }

    @Test func proofAfterTheHandshakeTimeoutIsRefused() {
        let machine = Machine(limits: limits())
        let late = ticket(machine.admit(from: admin, now: start))!
        #expect(machine.proven(late, now: start + .seconds(3) + .milliseconds(1)) == .refuse(.unproven))
        #expect(machine.unauthenticated == 1, "still held until it closes")
        machine.closed(late, wasAuthenticated: false)
        let inTime = ticket(machine.admit(from: admin, now: start))!
        #expect(machine.proven(inTime, now: start + .seconds(3)) == .authenticated)
    }

    @Test func sourceTableStaysBounded() {
        let machine = Machine(limits: limits(global: 8, perSource: 1, rate: 1, burst: 1))
        let capacity = machine.limits.sourceTableCapacity
        // Many sources, each with one connection that closes at once: only rate state stays.
        for host in UInt32(0)..<UInt32(3 * capacity) {
            if let held = ticket(machine.admit(from: .ipv4(host), now: start)) {
                machine.closed(held, wasAuthenticated: false)
            }
            #expect(machine.trackedSourceCount <= capacity)
        }
        // Sources holding connections are kept even when the table is full of rate state.
        let holding = (0..<8).compactMap { ticket(machine.admit(from: .ipv4(0xF000_0000 + $0), now: start)) }
        #expect(holding.count == 8)
        #expect(machine.trackedSourceCount <= capacity)
        for held in holding { machine.closed(held, wasAuthenticated: false) }
        #expect(machine.unauthenticated == 0)
        // Once the rate state has expired, an admitted source is remembered again from scratch.
        #expect(ticket(machine.admit(from: .ipv4(1), now: start + .seconds(2))) != nil)
        #expect(machine.trackedSourceCount <= capacity)
    }
}

/// The machine behind a reference, so that `#expect` can call its mutating methods.
private final class Machine {
    private var machine: AdmissionMachine
    init(limits: AdmissionLimits) { machine = AdmissionMachine(limits: limits) }
    var limits: AdmissionLimits { machine.limits }
    var unauthenticated: Int { machine.unauthenticated }
    var authenticated: Int { machine.authenticated }
    var trackedSourceCount: Int { machine.trackedSourceCount }
    func admit(from source: SourceKey, now: NIODeadline) -> AdmissionMachine.Decision { machine.admit(from: source, now: now) }
    func proven(_ ticket: AdmissionTicket, now: NIODeadline) -> AdmissionMachine.ProofDecision { machine.proven(ticket, now: now) }
    func closed(_ ticket: AdmissionTicket, wasAuthenticated: Bool) { machine.closed(ticket, wasAuthenticated: wasAuthenticated) }
}
