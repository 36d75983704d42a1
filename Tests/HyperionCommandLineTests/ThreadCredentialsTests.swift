import Testing
@testable import HyperionCommandLine

/// Reading a thread's credentials from /proc status text and comparing them to the plan.
@Suite struct ThreadCredentialsTests {
    static func status(eff: String = "0000000000003000", bnd: String = "0000000000003000", amb: String = "0000000000001000",
                       inh: String = "0000000000001000", noNewPrivs: Int = 1, uid: String = "65534\t65534\t65534\t65534") -> String {
        """
        Name:\tNIO-ELT-0-#0
        Umask:\t0022
        State:\tS (sleeping)
        Uid:\t\(uid)
        Gid:\t65534\t65534\t65534\t65534
        Groups:\t
        CapInh:\t\(inh)
        CapPrm:\t0000000000003000
        CapEff:\t\(eff)
        CapBnd:\t\(bnd)
        CapAmb:\t\(amb)
        NoNewPrivs:\t\(noNewPrivs)
        Seccomp:\t0
        """
    }

    let plan = PrivilegePlan.server(knockEnabled: true, user: "nobody", startedAsRoot: true)

    @Test func parsesEverySet() throws {
        let credentials = try #require(ThreadCredentials(procStatus: Self.status()))
        #expect(credentials.effective == [.netAdmin, .netRaw] && credentials.permitted == [.netAdmin, .netRaw])
        #expect(credentials.bounding == [.netAdmin, .netRaw] && credentials.ambient == [.netAdmin] && credentials.inheritable == [.netAdmin])
        #expect(credentials.noNewPrivileges)
        #expect(credentials.uids == [65534, 65534, 65534, 65534] && credentials.gids == [65534, 65534, 65534, 65534])
        #expect(credentials.mismatches(plan, uid: 65534, gid: 65534) == [])
    }

    @Test func namesEachDifference() throws {
        let full = try #require(ThreadCredentials(procStatus: Self.status(bnd: "000001ffffffffff", noNewPrivs: 0, uid: "0\t0\t0\t0")))
        let mismatches = full.mismatches(plan, uid: 65534, gid: 65534)
        #expect(mismatches.count == 3)
        #expect(mismatches.contains("no-new-privileges is off"))
        #expect(mismatches.contains("uids are [0, 0, 0, 0], not 65534"))
        #expect(mismatches.contains { $0.hasPrefix("bounding is ") && $0.hasSuffix(", not CAP_NET_ADMIN CAP_NET_RAW") })
    }

    @Test func idsAreNotCheckedWhenNoAccountWasSwitchedTo() throws {
        let root = try #require(ThreadCredentials(procStatus: Self.status(amb: "0000000000000000", inh: "0000000000000000", uid: "0\t0\t0\t0")))
        let stayRoot = PrivilegePlan.server(knockEnabled: true, user: nil, startedAsRoot: true)
        #expect(root.mismatches(stayRoot, uid: nil, gid: nil) == [])
    }

    @Test func missingOrMalformedLinesAreNil() {
        #expect(ThreadCredentials(procStatus: "") == nil)
        #expect(ThreadCredentials(procStatus: Self.status(eff: "xyz")) == nil)
        #expect(ThreadCredentials(procStatus: Self.status(eff: "00000000000000000")) == nil)
        #expect(ThreadCredentials(procStatus: Self.status().replacing("NoNewPrivs", with: "Other")) == nil)
    }
}
