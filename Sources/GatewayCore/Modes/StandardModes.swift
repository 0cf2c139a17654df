/// The implementation of every `connector_mode` the platform allows.
public enum StandardModes {
    public static let all: [any ModeBehavior] = [
        SCIMMode(),
        SCIMProjectedMode(),
        ExecutorMode(.poll),
        ExecutorMode(.jit),
        UIOnlyMode(),
        ExecutorMode(.project),
        ExecutorMode(.hybrid),
        RuntimeGatewayMode(),
    ]
}
