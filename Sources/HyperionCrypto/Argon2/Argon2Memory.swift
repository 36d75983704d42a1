#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The Argon2 memory matrix plus a few scratch blocks, as one allocation.
///
/// One allocation for the whole run keeps the block loop free of allocator calls, and
/// owning it in a class lets `deinit` wipe it on every exit path: the matrix is derived
/// from the password, so it must not be handed back to the allocator readable.
final class Argon2Memory {
    /// Scratch blocks after the matrix: the compression function's two working blocks, a
    /// zero block, and the input and address blocks of data-independent addressing
    /// (RFC 9106 §3.4.1.2).
    static let scratchBlockCount = 5
    private static let cacheLine = 64

    let matrixBlockCount: Int
    private let byteCount: Int
    private let raw: UnsafeMutableRawPointer
    /// Word 0 of block 0. Block `i` starts at `words + 128 * i`.
    let words: UnsafeMutablePointer<UInt64>

    /// `matrixBlockCount` must already be validated (Argon2id caps it at 4 GiB).
    init(matrixBlockCount: Int) {
        precondition(matrixBlockCount > 0)
        self.matrixBlockCount = matrixBlockCount
        let blocksByteCount = (matrixBlockCount + Self.scratchBlockCount) * Argon2Block.byteCount
        // Blocks start on a cache line (64 bytes), so a block is exactly 16 lines. The
        // alignment is done by hand: asking the allocator for it goes through glibc's
        // memalign, which for this size kept growing the heap instead of reusing the freed
        // matrix, so call after call page-faulted 19 MiB afresh (a third of the run time).
        byteCount = blocksByteCount + Self.cacheLine
        raw = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 16)
        let misalignment = Int(bitPattern: raw) & (Self.cacheLine - 1)
        let start = raw + (misalignment == 0 ? 0 : Self.cacheLine - misalignment)
        words = start.bindMemory(to: UInt64.self, capacity: blocksByteCount / 8)
        // Only the scratch blocks need a defined start; every matrix block is written
        // before it is read.
        (words + matrixBlockCount * Argon2Block.wordCount)
            .initialize(repeating: 0, count: Self.scratchBlockCount * Argon2Block.wordCount)
    }

    deinit {
        Self.secureZero(raw, byteCount)
        raw.deallocate()
    }

    func block(_ index: Int) -> UnsafeMutablePointer<UInt64> {
        words + index &* Argon2Block.wordCount
    }

    /// Two consecutive blocks for `Argon2Block.compress`.
    var scratchBlocks: UnsafeMutablePointer<UInt64> { block(matrixBlockCount) }
    var zeroBlock: UnsafeMutablePointer<UInt64> { block(matrixBlockCount + 2) }
    var inputBlock: UnsafeMutablePointer<UInt64> { block(matrixBlockCount + 3) }
    var addressBlock: UnsafeMutablePointer<UInt64> { block(matrixBlockCount + 4) }

    /// Zeroes memory in a way the optimizer may not drop as a dead store before free.
    static func secureZero(_ pointer: UnsafeMutableRawPointer, _ count: Int) {
        #if canImport(Darwin)
        _ = memset_s(pointer, count, 0, count)
        #else
        explicit_bzero(pointer, count)
        #endif
    }
}
