import CHyperionAEAD

/// Zeroes secret bytes (keys, chaining keys, key-derivation temporaries) before their
/// memory is freed, through a call the optimizer cannot treat as a dead store. Best effort:
/// copies Swift made earlier (copy-on-write, temporaries) are out of its reach.
func wipeSecret(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { buffer in
        if let base = buffer.baseAddress { hyperion_cleanse(base, buffer.count) }
    }
}
