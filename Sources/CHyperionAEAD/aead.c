#include "CHyperionAEAD.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { key_length = 32, nonce_length = 12, tag_length = 16 };

// OpenSSL's EVP costs about 230 ns more per message than BoringSSL's EVP_AEAD, and its
// AVX-512 code wins only from about 1 KiB on (a seal plus an open on our benchmark machine:
// 636 against 853 ns at 256 bytes, even at 1 KiB, 1.69 against 1.92 µs at 2 KiB). A context
// that has both seals and opens shorter messages with BoringSSL: same cipher, same bytes.
enum { openssl_minimum_count = 1024 };

// BoringSSL: the copy that swift-crypto links into every binary that uses Crypto, under
// its CCryptoBoringSSL_ prefix. swift-crypto does not export its headers, so the few
// functions used are declared here, as in BoringSSL's include/openssl/aead.h.
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
extern void CCryptoBoringSSL_OPENSSL_cleanse(void *ptr, size_t len);
extern void CCryptoBoringSSL_ERR_clear_error(void);

#if defined(__linux__)
// The system's OpenSSL libcrypto (libssl-dev to build, libssl3 to run). Its ChaCha20 and
// Poly1305 have AVX-512 code that BoringSSL lacks: on the AMD EPYC of our benchmark machine
// a 16 KiB seal takes 4.7 µs against BoringSSL's 6.3, and the cipher is most of the
// tunnel's CPU (docs/PERFORMANCE.md).
#include <openssl/err.h>
#include <openssl/evp.h>
#endif

struct hyperion_chachapoly {
    EVP_AEAD_CTX *boringssl;  // safe for concurrent use
    // An EVP_CIPHER_CTX carries per-message state (nonce, Poly1305), and so does a gathered
    // seal (below), so neither may be used by two threads at once. The lock keeps this API
    // safe for concurrent use as documented; on the tunnel's path it is never contended (a
    // key belongs to one connection's loop).
    pthread_mutex_t lock;
#if defined(__linux__)
    EVP_CIPHER_CTX *openssl;
#endif
    // A gathered seal under way: where it writes, how much it expects, how far it got, and
    // how many bytes of `gather_out` it may have written (wiped if the seal fails).
    uint8_t *gather_out;
    size_t gather_count, gather_offset, gather_touched;
    uint8_t gather_nonce[nonce_length];
    int gather_openssl, gather_failed;
};

#if defined(__linux__)
// The library's first use reads its configuration and loads a provider (about 1.3 ms
// here); fetching the cipher once, up front, keeps that out of the first handshake and
// spares every context the implicit fetch. NULL where the library cannot give
// ChaCha20-Poly1305 (a FIPS-only configuration). Kept for the life of the process.
static EVP_CIPHER *fetched_cipher;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_cipher(void) {
    fetched_cipher = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
    if (fetched_cipher == NULL) ERR_clear_error();
}

static const EVP_CIPHER *openssl_cipher(void) {
    pthread_once(&fetch_once, fetch_cipher);
    return fetched_cipher;
}

void hyperion_chachapoly_prepare(void) {
    (void)openssl_cipher();
}

static int openssl_start(struct hyperion_chachapoly *context, const uint8_t *key32) {
    const EVP_CIPHER *cipher = openssl_cipher();
    if (cipher == NULL) return 0;
    context->openssl = EVP_CIPHER_CTX_new();
    if (context->openssl == NULL || EVP_CipherInit_ex(context->openssl, cipher, NULL, key32, NULL, 1) != 1) {
        EVP_CIPHER_CTX_free(context->openssl);
        context->openssl = NULL;
        ERR_clear_error();
        return 0;
    }
    return 1;
}

// Decrypts `count` bytes under the context's lock and checks `tag` (EVP_CipherFinal_ex
// fails on a mismatch, comparing in constant time). Sealing goes through the gathered
// seal below.
static int openssl_open(struct hyperion_chachapoly *context, const uint8_t *nonce12, uint8_t *out, const uint8_t *in,
                        size_t count, uint8_t *tag) {
    if (count > INT_MAX) return 0;
    EVP_CIPHER_CTX *cipher = context->openssl;
    int ok = 0, updated = 0, finished = 0;
    pthread_mutex_lock(&context->lock);
    if (EVP_CipherInit_ex(cipher, NULL, NULL, NULL, nonce12, 0) != 1) goto done;
    if (EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_AEAD_SET_TAG, tag_length, tag) != 1) goto done;
    if (count > 0 && EVP_CipherUpdate(cipher, out, &updated, in, (int)count) != 1) goto done;
    if (EVP_CipherFinal_ex(cipher, out + updated, &finished) != 1) goto done;
    ok = (size_t)updated + (size_t)finished == count;
done:
    if (!ok) ERR_clear_error();
    pthread_mutex_unlock(&context->lock);
    return ok;
}
#else
void hyperion_chachapoly_prepare(void) {}
#endif

void *hyperion_chachapoly_new_using(const uint8_t *key32, int backend) {
    struct hyperion_chachapoly *context = calloc(1, sizeof *context);
    if (context == NULL) return NULL;
    if (pthread_mutex_init(&context->lock, NULL) != 0) {
        free(context);
        return NULL;
    }
    int started = 0;
#if defined(__linux__)
    if (backend == HYPERION_AEAD_ANY || backend == HYPERION_AEAD_OPENSSL) started |= openssl_start(context, key32);
#endif
    if (backend == HYPERION_AEAD_ANY || backend == HYPERION_AEAD_BORINGSSL) {
        context->boringssl = CCryptoBoringSSL_EVP_AEAD_CTX_new(CCryptoBoringSSL_EVP_aead_chacha20_poly1305(), key32,
                                                               key_length, tag_length);
        started |= context->boringssl != NULL;
    }
    if (!started) {
        hyperion_chachapoly_free(context);
        return NULL;
    }
    return context;
}

// OpenSSL for long messages, or for all when the context has nothing else.
static int uses_openssl(const struct hyperion_chachapoly *context, size_t count) {
#if defined(__linux__)
    return context->openssl != NULL && (context->boringssl == NULL || count >= openssl_minimum_count);
#else
    (void)context; (void)count;
    return 0;
#endif
}

int hyperion_chachapoly_backend(const void *context, size_t count) {
    return uses_openssl(context, count) ? HYPERION_AEAD_OPENSSL : HYPERION_AEAD_BORINGSSL;
}

void hyperion_chachapoly_free(void *opaque) {
    struct hyperion_chachapoly *context = opaque;
    if (context->boringssl != NULL) CCryptoBoringSSL_EVP_AEAD_CTX_free(context->boringssl);  // wipes the key
#if defined(__linux__)
    if (context->openssl != NULL) EVP_CIPHER_CTX_free(context->openssl);  // wipes the key schedule
#endif
    pthread_mutex_destroy(&context->lock);
    free(context);
}

void hyperion_cleanse(void *bytes, size_t count) { CCryptoBoringSSL_OPENSSL_cleanse(bytes, count); }

// A seal of one contiguous plaintext is a gathered seal of one piece.
int hyperion_chachapoly_seal(const void *context, const uint8_t *nonce12, uint8_t *out, const uint8_t *in, size_t count) {
    hyperion_chachapoly_gather_begin(context, nonce12, out, count);
    hyperion_chachapoly_gather_piece(context, in, count);
    return hyperion_chachapoly_gather_end(context);
}

int hyperion_chachapoly_open(const void *opaque, const uint8_t *nonce12, uint8_t *out, const uint8_t *in, size_t count) {
    struct hyperion_chachapoly *context = (struct hyperion_chachapoly *)opaque;
    if (count < tag_length) return 0;
    size_t plaintext = count - tag_length;
#if defined(__linux__)
    if (uses_openssl(context, plaintext)) {
        // The tag sits after the ciphertext, so decrypting in place does not overwrite it.
        if (openssl_open(context, nonce12, out, in, plaintext, (uint8_t *)in + plaintext)) return 1;
        // OpenSSL decrypts before the tag is checked: leave no unauthenticated plaintext.
        hyperion_cleanse(out, plaintext);
        return 0;
    }
#endif
    // BoringSSL's EVP_AEAD_CTX_open zeroes `out` itself when the tag is wrong.
    size_t written = 0;
    int ok = CCryptoBoringSSL_EVP_AEAD_CTX_open(context->boringssl, out, &written, plaintext,
                                                nonce12, nonce_length, in, count, NULL, 0);
    if (ok != 1) CCryptoBoringSSL_ERR_clear_error();  // a forgery leaves no entry behind on this thread
    return ok == 1 && written == plaintext;
}

// A gathered seal: the plaintext arrives in pieces and lands encrypted in `out`, so the
// caller need not first copy the pieces together. OpenSSL's EVP takes its input in pieces
// (and allows a piece to be encrypted where it lies); for BoringSSL (short messages, or no
// OpenSSL) the pieces are copied into `out` and sealed there in place.
int hyperion_chachapoly_gather_begin(const void *opaque, const uint8_t *nonce12, uint8_t *out, size_t count) {
    struct hyperion_chachapoly *context = (struct hyperion_chachapoly *)opaque;
    pthread_mutex_lock(&context->lock);  // held until hyperion_chachapoly_gather_end
    context->gather_out = out;
    context->gather_count = count;
    context->gather_offset = 0;
    context->gather_touched = 0;
    context->gather_failed = count > INT_MAX;
    context->gather_openssl = 0;
    memcpy(context->gather_nonce, nonce12, nonce_length);
#if defined(__linux__)
    if (uses_openssl(context, count)) {
        context->gather_openssl = 1;
        if (EVP_CipherInit_ex(context->openssl, NULL, NULL, NULL, nonce12, 1) != 1) context->gather_failed = 1;
    }
#endif
    return !context->gather_failed;
}

void hyperion_chachapoly_gather_piece(const void *opaque, const uint8_t *in, size_t count) {
    struct hyperion_chachapoly *context = (struct hyperion_chachapoly *)opaque;
    if (context->gather_failed || count == 0) return;
    if (count > context->gather_count - context->gather_offset) {
        context->gather_failed = 1;
        return;
    }
    uint8_t *destination = context->gather_out + context->gather_offset;
    context->gather_touched = context->gather_offset + count;
#if defined(__linux__)
    if (context->gather_openssl) {
        int written = 0;
        if (EVP_CipherUpdate(context->openssl, destination, &written, in, (int)count) != 1 || (size_t)written != count) {
            context->gather_failed = 1;
            return;
        }
        context->gather_offset += count;
        return;
    }
#endif
    if (destination != in) memcpy(destination, in, count);  // a piece already in place stays
    context->gather_offset += count;
}

int hyperion_chachapoly_gather_end(const void *opaque) {
    struct hyperion_chachapoly *context = (struct hyperion_chachapoly *)opaque;
    size_t count = context->gather_count;
    uint8_t *out = context->gather_out;
    int ok = !context->gather_failed && context->gather_offset == count;
    if (ok) context->gather_touched = count + tag_length;  // the last step writes the tag, or all of it
#if defined(__linux__)
    if (context->gather_openssl) {
        int finished = 0;
        ok = ok && EVP_CipherFinal_ex(context->openssl, out + count, &finished) == 1 && finished == 0 &&
             EVP_CIPHER_CTX_ctrl(context->openssl, EVP_CTRL_AEAD_GET_TAG, tag_length, out + count) == 1;
        if (!ok) ERR_clear_error();
    } else
#endif
    if (ok) {
        size_t written = 0;
        ok = CCryptoBoringSSL_EVP_AEAD_CTX_seal(context->boringssl, out, &written, count + tag_length, context->gather_nonce,
                                                nonce_length, out, count, NULL, 0) == 1 &&
             written == count + tag_length;
        if (!ok) CCryptoBoringSSL_ERR_clear_error();
    }
    // A failed seal leaves neither copied plaintext nor part of a ciphertext behind.
    if (!ok) hyperion_cleanse(out, context->gather_touched);
    pthread_mutex_unlock(&context->lock);
    return ok;
}
