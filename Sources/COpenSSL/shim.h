#ifndef SWITCHBOARD_COPENSSL_SHIM_H
#define SWITCHBOARD_COPENSSL_SHIM_H
// SHA-1 and SHA-256 block functions, for HMAC over them (SignalWire/KeyedHMAC.swift). They are
// libcrypto's own assembly, called directly: no provider to fetch and set up (EVP_MAC's set-up made
// about 2 MiB of libcrypto resident), no context to allocate per message. OpenSSL 3 marks this API
// deprecated in favour of EVP; it remains supported in 3.x.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#endif
