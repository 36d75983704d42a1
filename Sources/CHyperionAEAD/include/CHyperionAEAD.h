// In-place ChaCha20-Poly1305 for transport frames, through BoringSSL's EVP_AEAD API.
//
// swift-crypto's public ChaChaPoly API takes and returns Data, which costs an allocation
// and two copies per 16 KiB frame. The BoringSSL inside swift-crypto also offers in-place
// sealing and opening; swift-crypto links it into every binary that uses Crypto, under
// its CCryptoBoringSSL_ prefix, but does not export its headers. These wrappers declare
// the few functions used and expose them under our own names. The cipher is still
// BoringSSL's; tests check these wrappers against swift-crypto's ChaChaPoly and the
// Noise vectors.
#ifndef C_HYPERION_AEAD_H
#define C_HYPERION_AEAD_H

#include <stddef.h>
#include <stdint.h>

/// An opaque ChaCha20-Poly1305 key context (16-byte tag). NULL on allocation failure.
void *hyperion_chachapoly_new(const uint8_t *key32);
/// Frees the context; BoringSSL wipes the key material on free.
void hyperion_chachapoly_free(void *context);

/// Encrypts `count` bytes from `in` into `out` and writes the 16-byte tag after them (so
/// `out` needs count + 16 bytes). `out` may be `in` (in place) but must not otherwise
/// overlap it. Returns 1 on success.
int hyperion_chachapoly_seal(const void *context, const uint8_t *nonce12, uint8_t *out, const uint8_t *in, size_t count);

/// Verifies and decrypts `count` bytes (ciphertext || 16-byte tag) from `in` into `out`,
/// which needs count - 16 bytes; `out` may be `in` but must not otherwise overlap it.
/// Returns 1 on success, 0 if the tag is wrong.
int hyperion_chachapoly_open(const void *context, const uint8_t *nonce12, uint8_t *out, const uint8_t *in, size_t count);

#endif
