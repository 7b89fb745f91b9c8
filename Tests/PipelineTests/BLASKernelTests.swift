import AccordionTestSupport
import Foundation
import NeuralNets
import ResultBundles
import Testing
import Tensors

/// The OpenBLAS kernel Accordion pins (`BLAS.kernelAction`) and what a run records of it.
@Suite("OpenBLAS kernel pinning", .serialized)
struct BLASKernelTests {
    static let avx2: Set<Substring> = ["sse4_2", "avx", "avx2", "fma", "avx512f"]

    @Test("The AVX2 kernel is pinned only where the CPU runs it and the user named none")
    func decision() {
        func action(_ flags: Set<Substring>, _ env: [String: String], _ selected: String) -> BLAS.KernelAction {
            BLAS.kernelAction(cpuFlags: flags, environment: env, selected: selected)
        }
        let marker = "ACCORDION_PINNED_OPENBLAS_CORETYPE"
        #expect(action(Self.avx2, [:], "Cooperlake") == .pin("Haswell"))
        #expect(action(Self.avx2, [:], "Zen") == .pin("Haswell"))
        #expect(action(Self.avx2, [:], "Haswell") == .keep)
        #expect(action(Self.avx2, ["OPENBLAS_CORETYPE": "SkylakeX"], "SkylakeX") == .keep, "the user's kernel")
        #expect(action(["avx", "avx2"], [:], "Sandybridge") == .keep, "no FMA")
        #expect(action(["avx", "fma"], [:], "Sandybridge") == .keep, "no AVX2")
        #expect(action([], [:], "ARMV8") == .keep)
        // Pinned already: never again, even if OpenBLAS ignored it (no restart loop).
        #expect(action(Self.avx2, ["OPENBLAS_CORETYPE": "Haswell", marker: "Haswell"], "Haswell") == .keep)
        #expect(action(Self.avx2, ["OPENBLAS_CORETYPE": "Haswell", marker: "Haswell"], "Zen") == .keep)
        // A pin inherited (a Slurm task exports the submitting shell) on a CPU without AVX2 goes.
        #expect(action(["sse4_2"], ["OPENBLAS_CORETYPE": "Haswell", marker: "Haswell"], "Haswell") == .unpin)
        #expect(action(["sse4_2"], ["OPENBLAS_CORETYPE": "Haswell"], "Haswell") == .keep, "the user's, even if wrong")
    }

    @Test("Programs started for comparison get the user's environment back")
    func peerEnvironment() {
        let pinned = ["PATH": "/bin", "OPENBLAS_CORETYPE": "Haswell", "ACCORDION_PINNED_OPENBLAS_CORETYPE": "Haswell"]
        #expect(BLAS.withoutPinnedCore(pinned) == ["PATH": "/bin"])
        let named = ["PATH": "/bin", "OPENBLAS_CORETYPE": "Zen"]
        #expect(BLAS.withoutPinnedCore(named) == named)
    }

    @Test("CPU flags are read from the first processor's flags line")
    func flags() {
        let text = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx2 fma\nbugs\t\t: x\n\nprocessor\t: 1\nflags\t\t: fpu\n"
        #expect(BLAS.cpuFlags(cpuinfo: text) == ["fpu", "avx2", "fma"])
        #expect(BLAS.cpuFlags(cpuinfo: "processor : 0\n").isEmpty)
        #expect(BLAS.cpuFlags(cpuinfo: "flags without a colon\n").isEmpty)
    }

    /// Runs the tiny experiment with `environment` added and returns its bundle's provenance.
    static func provenance(environment: [String: String]) throws -> Provenance {
        let results = TestSupport.temporaryDirectory("blas-kernel")
        let spec = try TestSupport.writeSpec(CacheTests.tiny)
        let p = Process()
        p.executableURL = TestSupport.accordionExecutable
        p.arguments = ["run", spec.path, "--results", results.path]
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let bundle = try #require(BundleReader.bundles(under: results).first)
        return try Provenance.read(from: bundle)
    }

    @Test("A run records the kernel it ran: the pinned one where it applies, the user's when named")
    func recorded() throws {
        let flags = BLAS.cpuFlags(cpuinfo: (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")
        let canPin = flags.contains("avx2") && flags.contains("fma")
        let plain = try Self.provenance(environment: [:])
        if let named = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] {
            #expect(plain.blasCore.lowercased() == named.lowercased())
        } else if canPin {
            #expect(plain.blasCore == "Haswell")
        } else {
            #expect(plain.blasCore == BLAS.coreName)
        }
        #expect(plain.convKernel == Conv2D.directKernelName)
        // A kernel the user names wins (Zen needs AVX2 as Haswell does).
        if canPin { #expect(try Self.provenance(environment: ["OPENBLAS_CORETYPE": "Zen"]).blasCore == "Zen") }
    }
}
