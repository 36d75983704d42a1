/// The credentials of one thread as /proc/PID/task/TID/status shows them: the capability
/// sets, no-new-privileges and the ids. Parsed from text, so the check that the drop
/// reached every thread is tested with any status text.
public struct ThreadCredentials: Hashable, Sendable {
    public var effective: CapabilitySet
    public var permitted: CapabilitySet
    public var inheritable: CapabilitySet
    public var bounding: CapabilitySet
    public var ambient: CapabilitySet
    public var noNewPrivileges: Bool
    /// Real, effective, saved and filesystem uid.
    public var uids: [UInt32]
    /// Real, effective, saved and filesystem gid.
    public var gids: [UInt32]

    /// Nil when a line is missing or malformed.
    public init?(procStatus text: String) {
        var fields: [Substring: Substring] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon]] = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        }
        func capabilities(_ name: Substring) -> CapabilitySet? {
            guard let hex = fields[name], (1...16).contains(hex.count), let bits = UInt64(hex, radix: 16) else { return nil }
            return CapabilitySet(rawValue: bits)
        }
        func ids(_ name: Substring) -> [UInt32]? {
            let values = fields[name]?.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt32($0) }
            return values?.count == 4 ? values : nil
        }
        guard let effective = capabilities("CapEff"), let permitted = capabilities("CapPrm"),
              let inheritable = capabilities("CapInh"), let bounding = capabilities("CapBnd"),
              let ambient = capabilities("CapAmb"), let noNewPrivileges = fields["NoNewPrivs"].flatMap({ Int($0) }),
              let uids = ids("Uid"), let gids = ids("Gid")
        else { return nil }
        self.effective = effective
        self.permitted = permitted
        self.inheritable = inheritable
        self.bounding = bounding
        self.ambient = ambient
        self.noNewPrivileges = noNewPrivileges == 1
        self.uids = uids
        self.gids = gids
    }

    /// What differs from `plan` (and from `uid` and `gid`, the account it switched to,
    /// when given), in words; empty when the thread holds exactly what the plan keeps.
    public func mismatches(_ plan: PrivilegePlan, uid: UInt32?, gid: UInt32?) -> [String] {
        var problems: [String] = []
        func check(_ name: String, _ actual: CapabilitySet, _ expected: CapabilitySet) {
            if actual != expected { problems.append("\(name) is \(actual), not \(expected)") }
        }
        if !noNewPrivileges { problems.append("no-new-privileges is off") }
        if let uid, uids != Array(repeating: uid, count: 4) { problems.append("uids are \(uids), not \(uid)") }
        if let gid, gids != Array(repeating: gid, count: 4) { problems.append("gids are \(gids), not \(gid)") }
        if case .unprivileged = plan.identity { return problems }
        check("effective", effective, plan.kept)
        check("permitted", permitted, plan.kept)
        check("bounding", bounding, plan.kept)
        check("inheritable", inheritable, plan.ambient)
        check("ambient", ambient, plan.ambient)
        return problems
    }
}
