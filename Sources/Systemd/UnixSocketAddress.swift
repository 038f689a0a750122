#if canImport(Glibc)
import Glibc
#endif

/// An `AF_UNIX` datagram destination as `$NOTIFY_SOCKET` spells it: `/run/systemd/notify` (a file system
/// path, sent with its terminating NUL) or `@name` (the abstract namespace: a leading NUL in `sun_path`
/// and a length that covers exactly the name, no terminator).
struct UnixSocketAddress: Sendable {
    private let storage: sockaddr_un
    let length: socklen_t

    init?(_ name: String) {
        var bytes = Array(name.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "/") || first == UInt8(ascii: "@") else { return nil }
        let abstract = first == UInt8(ascii: "@")
        if abstract {
            bytes[0] = 0
        } else {
            bytes.append(0)
        }
        var address = sockaddr_un()
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count > 1, bytes.count <= capacity, !bytes.dropFirst().dropLast(abstract ? 0 : 1).contains(0) else {
            return nil
        }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path.copyBytes(from: bytes)
        }
        storage = address
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path) ?? 2
        length = socklen_t(pathOffset + bytes.count)
    }

    /// One `sendto(2)` of `bytes` through `descriptor`, retried on `EINTR`; true when all were sent.
    func send(_ bytes: [UInt8], from descriptor: Int32) -> Bool {
        var address = storage
        let length = self.length
        return bytes.withUnsafeBytes { buffer -> Bool in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    while true {
                        let sent = sendto(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                        if sent < 0 && errno == EINTR { continue }
                        return sent == buffer.count
                    }
                }
            }
        }
    }
}
