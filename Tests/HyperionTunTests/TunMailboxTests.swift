#if os(Linux)
@testable import HyperionTun
import Testing

@Suite struct TunMailboxTests {
    @Test func refusesWhenFullAndHandsOverInOrder() {
        let mailbox = TunMailbox<Int>(capacity: 2)
        #expect(mailbox.post(1))
        #expect(mailbox.post(2))
        #expect(!mailbox.post(3))
        #expect(mailbox.refusedCount == 1)
        let taken = mailbox.take()
        #expect(taken.commands == [1, 2] && !taken.stopping)
        #expect(mailbox.post(4), "taking made room")
        #expect(mailbox.take().commands == [4])
    }

    @Test func refusesAfterCloseButHandsOverWhatWasQueued() {
        let mailbox = TunMailbox<Int>(capacity: 4)
        #expect(mailbox.post(1))
        mailbox.close()
        #expect(!mailbox.post(2))
        let taken = mailbox.take()
        #expect(taken.commands == [1] && taken.stopping)
    }
}
#endif
