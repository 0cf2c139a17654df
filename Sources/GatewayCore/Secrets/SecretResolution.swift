/// Chooses the resolver for a loaded configuration's references.
public enum SecretResolution {
    /// `env://` through the loaded env layers, `file://` relative to the inventory's folder;
    /// `openbao://` is refused with a clear reason until an OpenBao connection is configured.
    public static func resolver(for configuration: GatewayConfiguration) -> @Sendable (SecretReference) throws -> SecretValue {
        let local = LocalSecretResolver(environment: configuration.environment, baseDirectory: configuration.baseDirectory)
        return { reference in try local.resolve(reference) }
    }
}
