#!/usr/bin/env bash
# The metric updates of one /voice request (request counter, latency histogram, decision counter),
# in instructions by callgrind, three ways: Switchboard's own registry (Sources/Switchboard/Metrics.swift,
# copied in), swift-prometheus's registry directly, and swift-metrics' API with the Prometheus
# factory behind it. Prints instructions per request: (runs of 11,000 - runs of 1,000) / 10,000.
set -euo pipefail
cd "$(dirname "$0")"
sed -e '/^import Platform$/d' -e '/^import Store$/d' -e 's/^\( *\)package /\1public /' \
    ../../Sources/Switchboard/Metrics.swift > Sources/mbench/Ours.swift
swift build -c release -Xswiftc -gnone -Xlinker --strip-debug >.build.log 2>&1 || { cat .build.log; exit 1; }
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null .build/release/mbench "$1" "$2" 2>&1 |
        sed -nE 's/.*Collected : ([0-9]+).*/\1/p'
}
for kind in ours prometheus metrics; do
    small=$(count "$kind" 1000)
    large=$(count "$kind" 11000)
    printf '%-11s %6.1fk instructions a request\n' "$kind" "$(echo "($large - $small) / 10000 / 1000" | bc -l)"
done
