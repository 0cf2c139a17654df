import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole log lines to a file descriptor: one `write(2)` per line (repeated only for the
/// rest of a line the kernel took in part), under a lock, so lines from different threads never
/// interleave. Lines up to the pipe buffer size also stay whole between processes sharing the pipe.
final class LogLineWriter: Sendable {
    /// The process's standard error.
    static let standardError = LogLineWriter(fileDescriptor: 2)

    private let fileDescriptor: Int32
    private let lock = Mutex(())

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    /// Writes `line` (which must end with a newline) as it is.
    func write(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            lock.withLock { _ in
                var offset = 0
                while offset < bytes.count {
                    #if canImport(Darwin)
                    let written = Darwin.write(fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    #elseif canImport(Glibc)
                    let written = Glibc.write(fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    #else
                    let written = Musl.write(fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    #endif
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return  // standard error is gone or full: a log line is not worth blocking for
                    }
                }
            }
        }
    }
}
