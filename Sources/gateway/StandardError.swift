import ArgumentParser
import Connectors
import Foundation
import GatewayCore

/// Standard error, for messages that must not mix with a command's output.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
