// In-place ChaCha20-Poly1305 for Noise transport frames.
//
// swift-crypto's public ChaChaPoly API takes and returns Data, which costs an allocation
// and two copies per 16 KiB frame. These wrappers seal and open between caller-owned
// buffers, or in place. On Linux they use the system's OpenSSL libcrypto, whose AVX-512
// code is about 1.35x BoringSSL's on our benchmark machine, and fall back to the BoringSSL
// that swift-crypto links in where libcrypto cannot give the cipher (a FIPS-only
// configuration); elsewhere they use that BoringSSL. Tests check both against swift-crypto's
// ChaChaPoly and the Noise vectors. A context may be used from several threads.
#ifndef C_HYPERION_AEAD_H
#define C_HYPERION_AEAD_H

#include <stddef.h>
#include <stdint.h>

enum {
    HYPERION_AEAD_ANY = 0,        // the fastest that works, per message size
    HYPERION_AEAD_OPENSSL = 1,    // Linux only
    HYPERION_AEAD_BORINGSSL = 2,
};

/// Loads the fastest implementation now rather than in the first context (OpenSSL's first
/// use reads its configuration: about 1.3 ms). Idempotent and thread-safe.
void hyperion_chachapoly_prepare(void);

/// Zeroes `count` bytes at `bytes` in a way the compiler may not drop as a dead store.
void hyperion_cleanse(void *bytes, size_t count);

/// An opaque ChaCha20-Poly1305 key context (16-byte tag) from one implementation
/// (HYPERION_AEAD_*; ANY: the fastest that works here). NULL if it is unavailable.
void *hyperion_chachapoly_new_using(const uint8_t *key32, int backend);
/// Which implementation seals or opens a message of `count` plaintext bytes with this
/// context: HYPERION_AEAD_OPENSSL or HYPERION_AEAD_BORINGSSL. A context made with ANY has
/// both where it can, and takes BoringSSL for messages under 1 KiB (less overhead there).
int hyperion_chachapoly_backend(const void *context, size_t count);
/// Frees the context and wipes its key material.
void hyperion_chachapoly_free(void *context);

/// Encrypts `count` bytes from `in` into `out` and writes the 16-byte tag after them (so
/// `out` needs count + 16 bytes). `out` may be `in` (in place) but must not otherwise
/// overlap it. Returns 1 on success.
int hyperion_chachapoly_seal(const void *context, const uint8_t *nonce12, uint8_t *out, const uint8_t *in, size_t count);

/// Verifies and decrypts `count` bytes (ciphertext || 16-byte tag) from `in` into `out`,
/// which needs count - 16 bytes; `out` may be `in` but must not otherwise overlap it.
/// Returns 1 on success, 0 if the tag is wrong (and then zeroes `out`'s count - 16 bytes).
int hyperion_chachapoly_open(const void *context, const uint8_t *nonce12, uint8_t *out, const uint8_t *in, size_t count);

/// A seal whose plaintext comes in pieces: `begin` with the nonce and where the `count`
/// bytes of ciphertext and the 16-byte tag go, then the pieces in order (`count` bytes in
/// all; each either exactly where its ciphertext goes, or not overlapping `out`), then
/// `end`, which returns 1 on success; on failure the bytes of `out` it wrote are zeroed.
/// No other call may
/// come between `begin` and `end` on this context (it is locked meanwhile); `end` must
/// always be called once `begin` was.
int hyperion_chachapoly_gather_begin(const void *context, const uint8_t *nonce12, uint8_t *out, size_t count);
void hyperion_chachapoly_gather_piece(const void *context, const uint8_t *in, size_t count);
int hyperion_chachapoly_gather_end(const void *context);

#endif
