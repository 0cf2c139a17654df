import Foundation

extension InventoryLoader {
    /// A file a setting names that cannot be read: the issue saying so, at the setting's
    /// source. Nil when the file is readable or the setting holds a reference (`file://`,
    /// `openbao://`: resolved at start). Relative paths are read from the inventory's folder.
    static func unreadableFile(
        _ setting: Sourced<SettingValue>?, baseDirectory: String, code: ConfigIssue.Code, connector: String? = nil,
        key: String, what: String = "The file", fix: String
    ) -> ConfigIssue? {
        guard let setting, let path = setting.value.stringValue else { return nil }
        let full = path.hasPrefix("/") ? path : baseDirectory + "/" + path
        guard !FileManager.default.isReadableFile(atPath: full) else { return nil }
        return ConfigIssue(
            code, at: setting.source.description, connector: connector, key: key,
            problem: "\(what) \(full) cannot be read.", fix: fix)
    }
}
