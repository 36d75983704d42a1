#include "CHyperionAEAD.h"

enum { key_length = 32, nonce_length = 12, tag_length = 16 };

#if defined(__linux__)

// Linux: the system's OpenSSL libcrypto (libssl-dev to build, libssl3 to run). Its
// ChaCha20 and Poly1305 have AVX-512 code that BoringSSL lacks: on the AMD EPYC of our
// benchmark machine a 16 KiB seal runs at 3.5 GB/s against BoringSSL's 2.6 GB/s, and the
// cipher is most of the tunnel's CPU (docs/PERFORMANCE.md).
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

// An EVP_CIPHER_CTX carries per-message state (nonce, Poly1305), so unlike BoringSSL's
// EVP_AEAD_CTX it must not be used by two threads at once. The lock keeps this API safe
// for concurrent use as documented; on the tunnel's path it is never contended.
struct hyperion_chachapoly {
    pthread_mutex_t lock;
    EVP_CIPHER_CTX *cipher;
};

void *hyperion_chachapoly_new(const uint8_t *key32) {
    struct hyperion_chachapoly *context = calloc(1, sizeof *context);
    if (context == NULL) return NULL;
    context->cipher = EVP_CIPHER_CTX_new();
    if (context->cipher == NULL ||
        EVP_CipherInit_ex(context->cipher, EVP_chacha20_poly1305(), NULL, key32, NULL, 1) != 1 ||
        pthread_mutex_init(&context->lock, NULL) != 0) {
        EVP_CIPHER_CTX_free(context->cipher);
        free(context);
        return NULL;
    }
    return context;
}

void hyperion_chachapoly_free(void *opaque) {
    struct hyperion_chachapoly *context = opaque;
    EVP_CIPHER_CTX_free(context->cipher);  // wipes the key schedule
    pthread_mutex_destroy(&context->lock);
    free(context);
}

// One message under the context's lock: (re)start with the nonce, run the cipher over
// `count` bytes, finish. Encrypting also reads the tag into `tag`; decrypting checks
// `tag` (EVP_CipherFinal_ex fails on a mismatch, comparing in constant time).
static int run_message(struct hyperion_chachapoly *context, int encrypt, const uint8_t *nonce12,
                       uint8_t *out, const uint8_t *in, size_t count, uint8_t *tag) {
    if (count > INT_MAX) return 0;
    EVP_CIPHER_CTX *cipher = context->cipher;
    int ok = 0, updated = 0, finished = 0;
    pthread_mutex_lock(&context->lock);
    if (EVP_CipherInit_ex(cipher, NULL, NULL, NULL, nonce12, encrypt) != 1) goto done;
    if (!encrypt && EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_AEAD_SET_TAG, tag_length, tag) != 1) goto done;
    if (count > 0 && EVP_CipherUpdate(cipher, out, &updated, in, (int)count) != 1) goto done;
    if (EVP_CipherFinal_ex(cipher, out + updated, &finished) != 1) goto done;
    if ((size_t)updated + (size_t)finished != count) goto done;
    if (encrypt && EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_AEAD_GET_TAG, tag_length, tag) != 1) goto done;
    ok = 1;
done:
    pthread_mutex_unlock(&context->lock);
    return ok;
}

int hyperion_chachapoly_seal(const void *context, const uint8_t *nonce12, uint8_t *out, const uint8_t *in, size_t count) {
    return run_message((struct hyperion_chachapoly *)context, 1, nonce12, out, in, count, out + count);
}

int hyperion_chachapoly_open(const void *context, const uint8_t *nonce12, uint8_t *out, const uint8_t *in, size_t count) {
    if (count < tag_length) return 0;
    size_t plaintext = count - tag_length;
    // The tag sits after the ciphertext, so decrypting in place does not overwrite it.
    if (run_message((struct hyperion_chachapoly *)context, 0, nonce12, out, in, plaintext,
                    (uint8_t *)in + plaintext)) return 1;
    // OpenSSL decrypts before the tag is checked: leave no unauthenticated plaintext behind.
    OPENSSL_cleanse(out, plaintext);
    return 0;
}

#else

// Elsewhere: the BoringSSL that swift-crypto links into every binary that uses Crypto,
// under its CCryptoBoringSSL_ prefix (it does not export its headers, so the few functions
// used are declared here, as in BoringSSL's include/openssl/aead.h).
typedef struct evp_aead_st EVP_AEAD;
typedef struct evp_aead_ctx_st EVP_AEAD_CTX;
extern const EVP_AEAD *CCryptoBoringSSL_EVP_aead_chacha20_poly1305(void);
extern EVP_AEAD_CTX *CCryptoBoringSSL_EVP_AEAD_CTX_new(const EVP_AEAD *aead, const uint8_t *key, size_t key_len, size_t tag_len);
extern void CCryptoBoringSSL_EVP_AEAD_CTX_free(EVP_AEAD_CTX *ctx);
extern int CCryptoBoringSSL_EVP_AEAD_CTX_seal(const EVP_AEAD_CTX *ctx, uint8_t *out, size_t *out_len, size_t max_out_len,
                                              const uint8_t *nonce, size_t nonce_len, const uint8_t *in, size_t in_len,
                                              const uint8_t *ad, size_t ad_len);
extern int CCryptoBoringSSL_EVP_AEAD_CTX_open(const EVP_AEAD_CTX *ctx, uint8_t *out, size_t *out_len, size_t max_out_len,
                                              const uint8_t *nonce, size_t nonce_len, const uint8_t *in, size_t in_len,
                                              const uint8_t *ad, size_t ad_len);

void *hyperion_chachapoly_new(const uint8_t *key32) {
    return CCryptoBoringSSL_EVP_AEAD_CTX_new(CCryptoBoringSSL_EVP_aead_chacha20_poly1305(), key32, key_length, tag_length);
}

void hyperion_chachapoly_free(void *context) {
    CCryptoBoringSSL_EVP_AEAD_CTX_free((EVP_AEAD_CTX *)context);
}

// BoringSSL allows `out` to alias `in` exactly (in place), and any non-overlapping pair;
// an EVP_AEAD_CTX is safe for concurrent use.
int hyperion_chachapoly_seal(const void *context, const uint8_t *nonce12, uint8_t *out, const uint8_t *in, size_t count) {
    size_t written = 0;
    int ok = CCryptoBoringSSL_EVP_AEAD_CTX_seal((const EVP_AEAD_CTX *)context, out, &written, count + tag_length,
                                                nonce12, nonce_length, in, count, NULL, 0);
    return ok == 1 && written == count + tag_length;
}

int hyperion_chachapoly_open(const void *context, const uint8_t *nonce12, uint8_t *out, const uint8_t *in, size_t count) {
    if (count < tag_length) return 0;
    size_t written = 0;
    int ok = CCryptoBoringSSL_EVP_AEAD_CTX_open((const EVP_AEAD_CTX *)context, out, &written, count - tag_length,
                                                nonce12, nonce_length, in, count, NULL, 0);
    return ok == 1 && written == count - tag_length;
}

#endif
