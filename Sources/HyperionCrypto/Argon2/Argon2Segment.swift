/// Filling one segment of the matrix: the reference-block choice of RFC 9106 §3.4 and the
/// loop that calls the compression function.
///
/// Lanes are filled one after another, slice by slice. RFC 9106 §3.4 only requires that
/// all segments of a slice are done before the next slice starts, and a segment never
/// references another lane's blocks in the slice being filled, so the tag equals that of
/// a multi-threaded run.
struct Argon2Segment {
    let memory: Argon2Memory
    let lanes: Int
    let laneLength: Int
    let segmentLength: Int
    let passes: Int

    /// Argon2id's type number y in H0 and the address input block.
    static let argon2idType: UInt64 = 2

    func fill(pass: Int, slice: Int, lane: Int) {
        let words = memory.words
        let scratch = memory.scratchBlocks
        let inputBlock = memory.inputBlock
        let addressBlock = memory.addressBlock
        let zeroBlock = memory.zeroBlock

        // Argon2id: data-independent addresses (Argon2i) in the first half of the first
        // pass resist side channels; data-dependent ones (Argon2d) afterwards resist
        // time-memory trade-offs (RFC 9106 §3.4.1.3).
        let dataIndependent = pass == 0 && slice < 2
        // Blocks 0 and 1 of each lane come from H0 (RFC 9106 §3.2 steps 3-4).
        let startIndex = (pass == 0 && slice == 0) ? 2 : 0

        if dataIndependent {
            inputBlock.update(repeating: 0, count: Argon2Block.wordCount)
            inputBlock[0] = UInt64(pass)
            inputBlock[1] = UInt64(lane)
            inputBlock[2] = UInt64(slice)
            inputBlock[3] = UInt64(lanes * laneLength)
            inputBlock[4] = UInt64(passes)
            inputBlock[5] = Self.argon2idType
            if startIndex != 0 {
                nextAddresses(inputBlock, addressBlock, zeroBlock, scratch)
            }
        }

        let laneStart = lane &* laneLength
        var current = laneStart &+ slice &* segmentLength &+ startIndex
        for index in startIndex..<segmentLength {
            // The previous block wraps to the lane's last block at the start of a lane.
            let previous = (slice == 0 && index == 0) ? laneStart &+ laneLength &- 1 : current &- 1
            let pseudoRandom: UInt64
            if dataIndependent {
                let slot = index & (Argon2Block.wordCount - 1)
                if slot == 0 {
                    nextAddresses(inputBlock, addressBlock, zeroBlock, scratch)
                }
                pseudoRandom = addressBlock[slot]
            } else {
                pseudoRandom = words[previous &* Argon2Block.wordCount]
            }

            let reference = referenceBlock(pseudoRandom, pass: pass, slice: slice, lane: lane, index: index)
            Argon2Block.compress(
                words + previous &* Argon2Block.wordCount,
                words + reference &* Argon2Block.wordCount,
                into: words + current &* Argon2Block.wordCount,
                xorIntoOut: pass != 0,
                scratch: scratch)
            current &+= 1
        }
    }

    /// The next 128 pseudo-random words of data-independent addressing:
    /// G(zero, G(zero, input)) with the input block's counter advanced first.
    private func nextAddresses(
        _ input: UnsafeMutablePointer<UInt64>, _ address: UnsafeMutablePointer<UInt64>,
        _ zero: UnsafeMutablePointer<UInt64>, _ scratch: UnsafeMutablePointer<UInt64>
    ) {
        input[6] &+= 1
        Argon2Block.compress(zero, input, into: address, xorIntoOut: false, scratch: scratch)
        Argon2Block.compress(zero, address, into: address, xorIntoOut: false, scratch: scratch)
    }

    /// The absolute index of the reference block for block `index` of the segment, from
    /// the pseudo-random word J1 || J2 (RFC 9106 §3.4.1 and §3.4.2).
    @inline(__always)
    private func referenceBlock(_ pseudoRandom: UInt64, pass: Int, slice: Int, lane: Int, index: Int) -> Int {
        let j1 = pseudoRandom & 0xFFFF_FFFF
        let j2 = pseudoRandom &>> 32
        // The first slice of the first pass has only the current lane to refer to.
        // `lanes` >= 1 was validated; truncating conversions keep checks out of the loop.
        let referenceLane = (pass == 0 && slice == 0) ? lane : Int(truncatingIfNeeded: j2 % UInt64(truncatingIfNeeded: lanes))
        let sameLane = referenceLane == lane

        // W: the blocks that may be referenced. Other lanes offer only finished segments,
        // and never their block just before the current one when it begins a segment.
        let finishedBlocks = pass == 0 ? slice &* segmentLength : laneLength &- segmentLength
        let areaSize: Int
        if sameLane {
            areaSize = finishedBlocks &+ index &- 1
        } else {
            areaSize = finishedBlocks &- (index == 0 ? 1 : 0)
        }

        // Map J1 to a position biased towards recent blocks: |W| - 1 - (|W| * (J1^2 / 2^32)) / 2^32.
        let x = (j1 &* j1) &>> 32
        let y = (UInt64(truncatingIfNeeded: areaSize) &* x) &>> 32
        let relative = areaSize &- 1 &- Int(truncatingIfNeeded: y)

        // W starts just after the segment being filled by the previous pass. start +
        // relative < 2 * laneLength, so one conditional subtraction is the modulo.
        let start = (pass == 0 || slice == 3) ? 0 : (slice &+ 1) &* segmentLength
        let position = start &+ relative
        let wrapped = position >= laneLength ? position &- laneLength : position
        return referenceLane &* laneLength &+ wrapped
    }
}
