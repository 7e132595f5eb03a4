#!/usr/bin/env bash
# Adds up the TRX files of one `dotnet test` run into one closing line: "N passed, N failed, N skipped".
set -euo pipefail
dir=${1:?results directory}
passed=0; failed=0; total=0; executed=0
for trx in "$dir"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed))); failed=$((failed + $(get failed)))
  total=$((total + $(get total))); executed=$((executed + $(get executed)))
done
echo "Tests: $passed passed, $failed failed, $((total - executed)) skipped"
