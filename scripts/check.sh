#!/usr/bin/env bash
# The whole check, as CI runs it: format and lint the repo, then build, typecheck, lint the
# packages as published (publint, arethetypeswrong) and test every package, then print one
# closing line counted from vitest's own reports. Every step runs even if an earlier one failed,
# so one run shows every problem.
set -u
cd "$(dirname "$0")/.."
rm -rf packages/*/test-results tools/*/test-results
status=0
pnpm exec biome check . || status=1
pnpm exec turbo run build typecheck lint test --continue || status=1
node scripts/test-summary.mjs || status=1
exit "$status"
