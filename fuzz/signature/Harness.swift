// libFuzzer harness for WebhookSignature and SignatureURL: fuzz/run.sh compiles it with the SignalWire
// signature files and Tests/SignalWireTests/FuzzRegressionTests.swift (with -D FUZZ), which holds the
// invariants.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzWebhookSignature(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    let problems = SignatureFuzzInvariants.violations(bytes)
    if !problems.isEmpty { fatalError("invariant broken: " + problems.joined(separator: "; ")) }
    return 0
}
