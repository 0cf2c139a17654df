import Foundation
import Yams

extension ValueSource {

    var isEnvFile: Bool {
        if case .envFile = self { return true }
        return false
    }
}
