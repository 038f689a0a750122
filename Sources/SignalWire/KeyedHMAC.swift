import COpenSSL
#if canImport(Platform)  // the fuzz harnesses compile Platform's Text.swift in with this file
import Platform
#endif

/// HMAC (RFC 2104) over SHA-1 or SHA-256, on libcrypto's block functions (which libcurl loads anyway),
/// with the key absorbed once: the inner and outer hash states after `key XOR ipad` and `key XOR
/// opad` are kept, and each message starts from copies of them. The states are plain C structs, so a
/// check allocates nothing, takes no lock and shares nothing with a concurrent one.
struct KeyedHMAC: Sendable {
    enum Digest: Sendable { case sha1, sha256 }

    private let keyed: Keyed

    /// `@unchecked Sendable`: the states are C structs (value types the importer cannot vouch for),
    /// only ever copied, never written in place.
    private enum Keyed: @unchecked Sendable {
        case sha1(KeyedStates<SHA_CTX>)
        case sha256(KeyedStates<SHA256_CTX>)
    }

    init(_ digest: Digest, key: [UInt8]) {
        switch digest {
        case .sha1: keyed = .sha1(KeyedStates(key: key))
        case .sha256: keyed = .sha256(KeyedStates(key: key))
        }
    }

    /// HMAC(key, url + body), without joining them first.
    func mac(_ url: String, _ body: [UInt8]) -> [UInt8] {
        url.withUTF8Bytes { url in
            body.withUnsafeBytes { body in
                switch keyed {
                case .sha1(let states): states.mac(UnsafeRawBufferPointer(url), body)
                case .sha256(let states): states.mac(UnsafeRawBufferPointer(url), body)
                }
            }
        }
    }
}

/// A hash state of libcrypto's (`SHA_CTX`, `SHA256_CTX`): a C struct, copied by value.
protocol HashState {
    init()
    static var digestLength: Int { get }
    mutating func start()
    mutating func absorb(_ bytes: UnsafeRawBufferPointer)
    /// The digest of everything absorbed (the state is spent).
    mutating func finish() -> [UInt8]
}

/// The inner and outer states of one key.
struct KeyedStates<State: HashState> {
    private let inner: State
    private let outer: State
    /// Both digests work on 64-byte blocks.
    private static var blockSize: Int { 64 }

    init(key: [UInt8]) {
        // A key longer than a block is hashed first (RFC 2104 §2); then padded with zeros to a block.
        var block = key
        if block.count > Self.blockSize {
            var state = State()
            state.start()
            key.withUnsafeBytes { state.absorb($0) }
            block = state.finish()
        }
        block += [UInt8](repeating: 0, count: Self.blockSize - block.count)
        func padded(_ pad: UInt8) -> State {
            var state = State()
            state.start()
            block.map { $0 ^ pad }.withUnsafeBytes { state.absorb($0) }
            return state
        }
        inner = padded(0x36)
        outer = padded(0x5C)
    }

    func mac(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> [UInt8] {
        var inner = inner
        inner.absorb(first)
        inner.absorb(second)
        let innerDigest = inner.finish()
        var outer = outer
        innerDigest.withUnsafeBytes { outer.absorb($0) }
        return outer.finish()
    }
}

extension SHA_CTX: HashState {
    static var digestLength: Int { Int(SHA_DIGEST_LENGTH) }
    mutating func start() { SHA1_Init(&self) }
    mutating func absorb(_ bytes: UnsafeRawBufferPointer) { SHA1_Update(&self, bytes.baseAddress, bytes.count) }
    mutating func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Self.digestLength)
        SHA1_Final(&digest, &self)
        return digest
    }
}

extension SHA256_CTX: HashState {
    static var digestLength: Int { Int(SHA256_DIGEST_LENGTH) }
    mutating func start() { SHA256_Init(&self) }
    mutating func absorb(_ bytes: UnsafeRawBufferPointer) { SHA256_Update(&self, bytes.baseAddress, bytes.count) }
    mutating func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Self.digestLength)
        SHA256_Final(&digest, &self)
        return digest
    }
}
