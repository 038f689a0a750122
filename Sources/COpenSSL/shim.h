#ifndef SWITCHBOARD_COPENSSL_SHIM_H
#define SWITCHBOARD_COPENSSL_SHIM_H
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

// An HMAC context over `digest` ("SHA1", "SHA256") with `key` absorbed; NULL if OpenSSL refuses.
// EVP_MAC_CTX_dup copies it for each message, so the key is set up once.
static inline EVP_MAC_CTX *sb_hmac_new(const char *digest, const unsigned char *key, size_t keylen) {
    static const unsigned char empty[1] = {0};
    EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (ctx == NULL) return NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_end(),
    };
    // A NULL key would mean "keep the previous key", which a new context does not have.
    if (EVP_MAC_init(ctx, keylen > 0 ? key : empty, keylen, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}
#endif
