import ExperimentSpec

/// A check of a loaded spec against files it names (arrays, exported activations, `init_from`
/// checkpoints), run by `validate`, `plan` and `run` before anything runs.
public protocol SpecFilesCheck {
    /// Every problem found, each located in the spec.
    static func diagnostics(_ spec: LoadedSpec) -> [Diagnostic]
}

extension SpecFilesCheck {
    /// Throws the diagnostics as ``SpecErrors`` when there are any.
    public static func check(_ spec: LoadedSpec) throws {
        let found = diagnostics(spec)
        if !found.isEmpty { throw spec.errors(found) }
    }
}
