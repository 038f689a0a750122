#!/usr/bin/env bash
# Builds the four libFuzzer harnesses and runs each, one at a time, for SECONDS (default 60):
#   fuzz/run.sh [SECONDS] [TARGET...]        targets: http form routes signature (default: all)
#
# Each target: swiftc -sanitize=fuzzer,address over the harness, the module's own source files and
# the test file holding the invariants (compiled with -D FUZZ). Output: fuzz/out/bin/. The signature
# target finds libcrypto through the COpenSSL module map; the routes target links the JSON module,
# built first as a static library with the same instrumentation.
#
# Each target runs in libFuzzer's fork mode with -ignore_crashes=1, so it fuzzes for the whole time and
# collects every crash instead of stopping at the first. New corpus units go to fuzz/out/corpus/<target>/
# (the committed seeds in fuzz/corpus/<target>/ are only read); crash inputs to
# fuzz/out/crashes/<target>/. Exits 1 if any target crashed (or failed to build or run).
set -uo pipefail

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(http form routes signature)
case "$seconds" in ''|*[!0-9]*) echo "usage: fuzz/run.sh [SECONDS] [TARGET...]" >&2; exit 2 ;; esac

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
out=fuzz/out
mkdir -p "$out/bin" "$out/logs"
export SWIFT_BACKTRACE=enable=no   # else the first crash symbolicates for minutes
SWIFTC=${SWIFTC:-swiftc}
flags=(-sanitize=fuzzer,address -parse-as-library -O -D FUZZ -enable-upcoming-feature ExistentialAny -use-ld=lld -package-name switchboard
       -I Sources/COpenSSL)
http_sources=(Sources/HTTPServer/{HTTPDecoder,HTTPDecoder+Head,HTTPDecoder+Chunked,HTTPHeaders,HTTPRequest,HTTPLimits,URLEncodedForm}.swift Sources/Platform/Text.swift
              Tests/HTTPServerTests/FuzzRegressionTests.swift)

sources() {
    case "$1" in
        http|form) printf '%s\n' "fuzz/$1/Harness.swift" "${http_sources[@]}" ;;
        routes) echo fuzz/routes/Harness.swift; find Sources/Routing -name '*.swift' | sort
                echo Tests/RoutingTests/FuzzRegressionTests.swift ;;
        signature) printf '%s\n' fuzz/signature/Harness.swift \
                       Sources/SignalWire/{WebhookSignature,KeyedHMAC,SignatureURL,SignatureResult,ConstantTime}.swift Sources/Platform/Text.swift \
                       Tests/SignalWireTests/FuzzRegressionTests.swift ;;
    esac
}

# Modules a target imports, built as static libraries into fuzz/out/lib (routes imports JSON).
json=$out/lib/libJSON.a
build_json() {
    mkdir -p "$out/lib"
    $SWIFTC "${flags[@]}" -emit-library -static -emit-module -module-name JSON -emit-module-path "$out/lib/JSON.swiftmodule" \
        Sources/JSON/*.swift -o "$json"
}

# Builds one target (only when a source is newer than its binary) and prints the binary's path.
build() {
    local target=$1 bin=$out/bin/$1 files inputs extra=()
    mapfile -t files < <(sources "$target")
    inputs=("${files[@]}")
    if [ "$target" = routes ]; then
        build_json >"$out/logs/build-json.log" 2>&1 || return 1
        inputs+=(Sources/JSON/*.swift)
        extra=(-I "$out/lib" "$json")
    fi
    if [ ! -x "$bin" ] || [ -n "$(find "${inputs[@]}" -newer "$bin" 2>/dev/null | head -1)" ]; then
        $SWIFTC "${flags[@]}" -module-name "Fuzz_$target" "${files[@]}" "${extra[@]}" -o "$bin" \
            >"$out/logs/build-$target.log" 2>&1 || return 1
    fi
    echo "$bin"
}

# The reason a crash input fails, numbers masked so that repeats of one bug group together.
reason() {
    "$1" -timeout=5 -rss_limit_mb=2048 "$2" 2>&1 | grep -a -m1 -E 'Fatal error|ERROR: (AddressSanitizer|libFuzzer)|SUMMARY' \
        | sed -E 's/^.*(Fatal error|ERROR)/\1/; s/[0-9]+/N/g' | cut -c1-200
}

failed=0
summary=()
for target in "${targets[@]}"; do
    case "$target" in http|form|routes|signature) ;; *) echo "unknown target: $target" >&2; exit 2 ;; esac
    echo "== $target: building"
    if ! bin=$(build "$target"); then
        echo "build failed; see $out/logs/build-$target.log" >&2
        tail -20 "$out/logs/build-$target.log" >&2
        summary+=("$target: BUILD FAILED"); failed=1; continue
    fi
    crashes=$out/crashes/$target
    mkdir -p "$out/corpus/$target" "$crashes"
    marker=$out/logs/$target.start
    touch "$marker"
    log=$out/logs/$target.log
    echo "== $target: fuzzing for ${seconds}s (log: $log)"
    "$bin" -fork=1 -ignore_crashes=1 -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
        -artifact_prefix="$crashes/" "$out/corpus/$target" "fuzz/corpus/$target" >"$log" 2>&1
    rc=$?
    stats=$(grep -a -E '^#[0-9]+: cov:' "$log" | tail -1)
    runs=$(sed -nE 's/^#([0-9]+):.*/\1/p' <<<"$stats")
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$stats")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$stats")
    units=$(find "$out/corpus/$target" -type f | wc -l)
    mapfile -t found < <(find "$crashes" -type f -newer "$marker" | sort)
    line="$target: ${runs:-0} runs, cov ${cov:-?}, ft ${ft:-?}, corpus ${units} units, ${#found[@]} crashes"
    if [ ${#found[@]} -gt 0 ]; then
        failed=1
        echo "== $target: crashes in $crashes/ (reproduce: $bin FILE)"
        for f in "${found[@]:0:20}"; do reason "$bin" "$f"; done | sort | uniq -c | sort -rn
    elif [ -z "$stats" ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; }; then
        failed=1; line="$line, libFuzzer exited $rc (see $log)"
    fi
    summary+=("$line")
done

echo "== summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit $failed
