// libFuzzer harness for HTTPDecoder.decode: fuzz/run.sh compiles it with the decoder's source files and
// Tests/HTTPServerTests/FuzzRegressionTests.swift (-D FUZZ), which holds the invariants.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzHTTPDecoder(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    let problems = HTTPFuzzInvariants.violations(bytes)
    if !problems.isEmpty { fatalError("invariant broken: " + problems.joined(separator: "; ")) }
    return 0
}
