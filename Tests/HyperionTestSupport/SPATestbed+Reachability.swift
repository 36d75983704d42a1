/// What the test hosts see of the server's tunnel port.
extension SPATestbed {
    /// The tunnel port's outcome from each host over each family, probed at once (one
    /// timeout in all), keyed like "attacker IPv6".
    func tunnelPortOutcomes(from sources: [NetworkHost], _ families: [AddressFamily] = AddressFamily.allCases, timeout: Double = 1) async throws -> [String: TCPOutcome] {
        try await withThrowingTaskGroup(of: (String, TCPOutcome).self) { group in
            for source in sources {
                for family in families {
                    group.addTask {
                        let outcome = try await TCPProbe.outcome(from: source, to: self.server.address(family), port: Self.tunnelPort, timeout: timeout)
                        return ("\(source.role) \(family)", outcome)
                    }
                }
            }
            var outcomes: [String: TCPOutcome] = [:]
            for try await (key, outcome) in group { outcomes[key] = outcome }
            return outcomes
        }
    }

    /// The keys of `outcomes` whose outcome is not `expected`, for a readable failure.
    static func mismatches(_ outcomes: [String: TCPOutcome], expected: TCPOutcome) -> [String] {
        outcomes.filter { $0.value != expected }.map { "\($0.key): \($0.value)" }.sorted()
    }
}
