#include "CHyperionAEAD.h"

// BoringSSL's declarations (include/openssl/aead.h), with the prefix swift-crypto gives them.
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

enum { key_length = 32, nonce_length = 12, tag_length = 16 };

void *hyperion_chachapoly_new(const uint8_t *key32) {
    return CCryptoBoringSSL_EVP_AEAD_CTX_new(CCryptoBoringSSL_EVP_aead_chacha20_poly1305(), key32, key_length, tag_length);
}

void hyperion_chachapoly_free(void *context) {
    CCryptoBoringSSL_EVP_AEAD_CTX_free((EVP_AEAD_CTX *)context);
}

// BoringSSL allows `out` to alias `in` exactly (in place), and any non-overlapping pair.
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
