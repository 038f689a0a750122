// libFuzzer harness for URLEncodedForm: fuzz/run.sh compiles it with URLEncodedForm.swift and
// Tests/HTTPServerTests/FuzzRegressionTests.swift (-D FUZZ), which holds the invariants.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzURLEncodedForm(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    let problems = FormFuzzInvariants.violations(bytes)
    if !problems.isEmpty { fatalError("invariant broken: " + problems.joined(separator: "; ")) }
    return 0
}
