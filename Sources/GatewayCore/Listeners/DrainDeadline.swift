import Logging
import NIOCore
import NIOExtras
import NIOPosix

struct DrainDeadline: Error {}
