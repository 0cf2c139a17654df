extension ResolvedSettings {
    /// The value of a key that always has one: set, else its declared default.
    public subscript<Value>(setting: Setting<Value>) -> Value { setting.value(in: self) }
}
