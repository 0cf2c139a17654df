import ArgumentParser
import Connectors
import Foundation
import GatewayCore

/// Exit codes shared by the commands: 0 valid, 1 invalid configuration, 2 unreadable input.
enum ExitStatus {
    static func code(for error: ConfigError) -> ExitCode {
        error.isUnreadableFile ? ExitCode(2) : ExitCode(1)
    }
}
