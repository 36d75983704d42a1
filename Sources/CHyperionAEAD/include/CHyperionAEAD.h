// In-place ChaCha20-Poly1305 for Noise transport frames.
//
// swift-crypto's public ChaChaPoly API takes and returns Data, which costs an allocation
// and two copies per 16 KiB frame. These wrappers seal and open between caller-owned
// buffers, or in place. On Linux they use the system's OpenSSL libcrypto, whose AVX-512
// code is about 1.4x BoringSSL's on our benchmark machine; elsewhere the BoringSSL that
// swift-crypto links in. Tests check them against swift-crypto's ChaChaPoly and the Noise
// vectors. A context may be used from several threads (on Linux it is locked per message).
#ifndef C_HYPERION_AEAD_H
#define C_HYPERION_AEAD_H

#include <stddef.h>
#include <stdint.h>

/// An opaque ChaCha20-Poly1305 key context (16-byte tag). NULL on allocation failure.
void *hyperion_chachapoly_new(const uint8_t *key32);
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

#endif
