// libFuzzer harness for WebhookSignature and SignatureURL: fuzz/signature/Package.swift builds it with
// the SignalWire signature files and Tests/SignalWireTests/FuzzRegressionTests.swift (all symlinked
// here, compiled with -D FUZZ), which holds the invariants.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzWebhookSignature(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    let problems = SignatureFuzzInvariants.violations(bytes)
    if !problems.isEmpty { fatalError("invariant broken: " + problems.joined(separator: "; ")) }
    return 0
}
