import NIOHPACK
import Tracing

struct HPACKHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into headers: inout HPACKHeaders) {
        headers.replaceOrAdd(name: key, value: value)
    }
}
