import Foundation

/// Which OpenBLAS kernel Accordion runs, and why.
///
/// Debian's OpenBLAS is a `DYNAMIC_ARCH` build: it picks a kernel per CPU when it is loaded, and
/// kernels sum in different orders. On AVX-512 CPUs it picks `SkylakeX` or `Cooperlake`, which
/// also switch to "direct" and small-matrix SGEMM paths by matrix size, so a result depends on
/// the CPU and even on how a batch is chunked. Every x86-64 CPU with AVX2 and FMA runs the
/// `Haswell` kernel correctly (it needs exactly those), and on the machines measured it is as
/// fast as the detected one (docs/benchmarks.md). So Accordion pins it there: the same spec
/// gives the same bits on Zen 3, Zen 4 and Zen 5, and a bundle reruns bit for bit on another
/// machine. A kernel the user names in `OPENBLAS_CORETYPE` is left alone, and CPUs without AVX2
/// keep what OpenBLAS picks; provenance records the kernel that ran.
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

    /// The value to restart this process with in `OPENBLAS_CORETYPE`, or nil to run on: nil when
    /// the variable is set already, when the CPU (as the kernel reports it in `/proc/cpuinfo`
    /// flags, which lists only what the OS has enabled) lacks AVX2 or FMA, or when OpenBLAS
    /// picked the pinned kernel itself.
    public static func coreToPin(cpuFlags: Set<Substring>, environment: [String: String], selected: String) -> String? {
        guard environment[coreTypeVariable] == nil, cpuFlags.contains("avx2"), cpuFlags.contains("fma"),
              selected.lowercased() != pinnedCore.lowercased() else { return nil }
        return pinnedCore
    }

    /// The flags of the first processor in `/proc/cpuinfo` (empty where there is none).
    public static func cpuFlags(cpuinfo: String) -> Set<Substring> {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { break }
            return Set(line[line.index(after: colon)...].split(separator: " "))
        }
        return []
    }

    /// The value for `OPENBLAS_CORETYPE` this process should have been started with, or nil
    /// when it runs as it should (see ``coreToPin(cpuFlags:environment:selected:)``).
    public static func coreToPinHere() -> String? {
        #if arch(x86_64) && os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        return coreToPin(cpuFlags: cpuFlags(cpuinfo: text), environment: ProcessInfo.processInfo.environment,
                         selected: coreName)
        #else
        return nil
        #endif
    }
}
