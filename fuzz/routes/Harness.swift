// libFuzzer harness for RoutesLoader.load: fuzz/run.sh compiles it with all of Sources/Routing and
// Tests/RoutingTests/FuzzRegressionTests.swift (-D FUZZ), which holds the invariants.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzRoutesLoader(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    let problems = RoutesFuzzInvariants.violations(bytes)
    if !problems.isEmpty { fatalError("invariant broken: " + problems.joined(separator: "; ")) }
    return 0
}
