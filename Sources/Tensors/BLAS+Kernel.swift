import Foundation

/// Which OpenBLAS kernel Accordion runs, and why.
///
/// Debian's OpenBLAS is a `DYNAMIC_ARCH` build: it picks a kernel per CPU when it is loaded, and
/// kernels sum in different orders. On AVX-512 CPUs it picks `SkylakeX` or `Cooperlake`, which
/// also switch to "direct" and small-matrix SGEMM paths by matrix size, so a result depends on
/// the CPU and even on how a batch is chunked. Every x86-64 CPU with AVX2 and FMA runs the
/// `Haswell` kernel correctly (it needs exactly those), and on the machines measured it is as
/// fast as the detected one (docs/benchmarks.md). So Accordion pins it there: a spec gives the
/// same bits on any such CPU (measured: the quickstart and the benchmark trainings on a Zen 4
/// give the numbers recorded on a Zen 3), so a bundle reruns bit for bit on another machine. A
/// kernel the user names in `OPENBLAS_CORETYPE` is left alone, and CPUs without AVX2 keep what
/// OpenBLAS picks; provenance records the kernel that ran.
extension BLAS {
    /// The kernel Accordion pins where the CPU runs it.
    public static let pinnedCore = "Haswell"

    /// The environment variable OpenBLAS reads, once, when it is loaded.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"

    /// Set beside ``coreTypeVariable`` when Accordion pinned the kernel (not the user), so that
    /// programs it starts for comparison (a PyTorch peer with its own NumPy) get the environment
    /// the user gave.
    public static let pinnedMarkerVariable = "ACCORDION_PINNED_OPENBLAS_CORETYPE"

    /// `environment` without the kernel Accordion pinned; a kernel the user named stays.
    public static func withoutPinnedCore(_ environment: [String: String]) -> [String: String] {
        guard environment[pinnedMarkerVariable] != nil else { return environment }
        var out = environment
        out[pinnedMarkerVariable] = nil
        out[coreTypeVariable] = nil
        return out
    }

    /// What this process should do about its kernel before it computes anything.
    public enum KernelAction: Equatable, Sendable {
        /// Run on as it is.
        case keep
        /// Start again with `OPENBLAS_CORETYPE` set to this kernel.
        case pin(String)
        /// Start again without the kernel Accordion pinned: inherited (from a submitting host,
        /// say) on a CPU that cannot run it.
        case unpin
    }

    /// The user's `OPENBLAS_CORETYPE` is kept. Otherwise the kernel is pinned where the CPU has
    /// AVX2 and FMA (as the kernel reports them in `/proc/cpuinfo` flags, which lists only what
    /// the OS has enabled) unless OpenBLAS picked it itself, and a pin inherited from another
    /// process is dropped on a CPU without them. A pin already made is never made again, so a
    /// build of OpenBLAS that ignores the variable cannot make the process restart in a loop.
    public static func kernelAction(cpuFlags: Set<Substring>, environment: [String: String], selected: String) -> KernelAction {
        let ours = environment[pinnedMarkerVariable] != nil
        if environment[coreTypeVariable] != nil && !ours { return .keep }
        guard cpuFlags.contains("avx2"), cpuFlags.contains("fma") else { return ours ? .unpin : .keep }
        if ours || selected.lowercased() == pinnedCore.lowercased() { return .keep }
        return .pin(pinnedCore)
    }

    /// The flags of the first processor in `/proc/cpuinfo` (empty where there is none).
    public static func cpuFlags(cpuinfo: String) -> Set<Substring> {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { break }
            return Set(line[line.index(after: colon)...].split(separator: " "))
        }
        return []
    }

    /// ``kernelAction(cpuFlags:environment:selected:)`` for this process on this machine.
    public static func kernelActionHere() -> KernelAction {
        #if arch(x86_64) && os(Linux)
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return kernelAction(cpuFlags: cpuFlags(cpuinfo: text), environment: ProcessInfo.processInfo.environment,
                            selected: coreName)
        #else
        return .keep
        #endif
    }
}
