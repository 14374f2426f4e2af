#!/usr/bin/env bash
# Reproduces the accuracy table of models/warmup-base/README.md — the same evaluations the default
# `warmup pipeline` runs on its base arm: the toy test splits (seed 0), mcq 20 questions x 4 samples,
# math and code 16 x 2, temperature 0.7, top-p 0.95, 128 new tokens, wasm, sampling seed 0 — plus the
# small slice (mcq and math, 8 x 2) that test/warmup-base-card.test.ts reruns. The specs live in
# scripts/eval-warmup-base.ts; the figures go to models/warmup-base/eval.json (the test's expected values).
# Usage: bash scripts/eval-warmup-base.sh [model folder] [out folder] [figures json]
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx tsx scripts/eval-warmup-base.ts "$@"
