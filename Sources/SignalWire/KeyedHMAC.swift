import COpenSSL

/// HMAC (RFC 2104) over SHA-1 or SHA-256, on libcrypto's block functions (which libcurl loads anyway),
/// with the key absorbed once: the inner and outer hash states after `key XOR ipad` and `key XOR
/// opad` are kept, and each message starts from copies of them. The states are plain C structs, so a
/// check allocates nothing, takes no lock and shares nothing with a concurrent one.
struct KeyedHMAC: Sendable {
    enum Digest: Sendable { case sha1, sha256 }

    private let state: State

    private enum State: @unchecked Sendable {
        case sha1(inner: SHA_CTX, outer: SHA_CTX)
        case sha256(inner: SHA256_CTX, outer: SHA256_CTX)
    }

    /// Both digests work on 64-byte blocks.
    private static let blockSize = 64

    init(_ digest: Digest, key: [UInt8]) {
        // A key longer than a block is hashed first (RFC 2104 §2); then padded with zeros to a block.
        var block = key.count > Self.blockSize ? Self.hash(digest, key) : key
        block += [UInt8](repeating: 0, count: Self.blockSize - block.count)
        let innerPad = block.map { $0 ^ 0x36 }
        let outerPad = block.map { $0 ^ 0x5C }
        switch digest {
        case .sha1:
            var inner = SHA_CTX(), outer = SHA_CTX()
            SHA1_Init(&inner)
            SHA1_Init(&outer)
            innerPad.withUnsafeBytes { _ = SHA1_Update(&inner, $0.baseAddress, $0.count) }
            outerPad.withUnsafeBytes { _ = SHA1_Update(&outer, $0.baseAddress, $0.count) }
            state = .sha1(inner: inner, outer: outer)
        case .sha256:
            var inner = SHA256_CTX(), outer = SHA256_CTX()
            SHA256_Init(&inner)
            SHA256_Init(&outer)
            innerPad.withUnsafeBytes { _ = SHA256_Update(&inner, $0.baseAddress, $0.count) }
            outerPad.withUnsafeBytes { _ = SHA256_Update(&outer, $0.baseAddress, $0.count) }
            state = .sha256(inner: inner, outer: outer)
        }
    }

    /// HMAC(key, url + body), without joining them first.
    func mac(_ url: String, _ body: [UInt8]) -> [UInt8] {
        var url = url
        return url.withUTF8 { url in
            body.withUnsafeBytes { body in mac(UnsafeRawBufferPointer(url), body) }
        }
    }

    private func mac(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> [UInt8] {
        switch state {
        case .sha1(var inner, var outer):
            var digest = [UInt8](repeating: 0, count: Int(SHA_DIGEST_LENGTH))
            _ = SHA1_Update(&inner, first.baseAddress, first.count)
            _ = SHA1_Update(&inner, second.baseAddress, second.count)
            _ = SHA1_Final(&digest, &inner)
            _ = SHA1_Update(&outer, digest, digest.count)
            _ = SHA1_Final(&digest, &outer)
            return digest
        case .sha256(var inner, var outer):
            var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
            _ = SHA256_Update(&inner, first.baseAddress, first.count)
            _ = SHA256_Update(&inner, second.baseAddress, second.count)
            _ = SHA256_Final(&digest, &inner)
            _ = SHA256_Update(&outer, digest, digest.count)
            _ = SHA256_Final(&digest, &outer)
            return digest
        }
    }

    /// The plain digest of `bytes`.
    static func hash(_ digest: Digest, _ bytes: [UInt8]) -> [UInt8] {
        switch digest {
        case .sha1:
            var out = [UInt8](repeating: 0, count: Int(SHA_DIGEST_LENGTH))
            _ = SHA1(bytes, bytes.count, &out)
            return out
        case .sha256:
            var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
            _ = SHA256(bytes, bytes.count, &out)
            return out
        }
    }
}
