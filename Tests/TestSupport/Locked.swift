import Platform

/// A value shared between test threads under a lock: the daemon's own `Platform.Locked`.
package typealias Locked = Platform.Locked
