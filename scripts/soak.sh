#!/usr/bin/env bash
# The fault and bad-input suites of issue 6 (Tests/SwitchboardTests/Soak*.swift) at full size against
# the built binary, then a summary of the figures they printed. SWITCHBOARD_SOAK=short for the quick
# version that `make test` runs. Exit status: the test run's.
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
export SWITCHBOARD_SOAK=${SWITCHBOARD_SOAK:-full}

$SWIFT build --build-tests || exit $?

log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
$SWIFT test --skip-build --filter Soak 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
seconds=$(( $(date +%s) - start ))

passed=$(grep -cE '^✔ Test .*\) passed' "$log")
failed=$(grep -cE '^✘ Test .*\) failed' "$log")
skipped=$(grep -c '^➜ Test .* skipped' "$log")
echo
echo "== soak summary: $SWITCHBOARD_SOAK, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) cores =="
grep '^\[soak\]' "$log" | sed -e 's/^\[soak\] /  /' -e 's/ ([a-z]*): /: /'
grep '^➜ Test .* skipped' "$log" | sed 's/^/  /'
echo "  tests: $passed passed, $failed failed, $skipped skipped; $seconds s"
exit "$rc"
