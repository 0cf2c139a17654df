import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The HTTPS listener has no certificate loaded (it cannot happen after a successful start).
struct TLSNotLoaded: Error {}
