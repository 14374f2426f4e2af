#!/usr/bin/env bash
# Reproduces the accuracy table of models/warmup-base/README.md — the same evaluations the default
# `warmup pipeline` runs on its base arm: the toy test splits (seed 0), mcq 20 questions x 4 samples,
# math and code 16 x 2, temperature 0.7, top-p 0.95, 128 new tokens, wasm, sampling seed 0.
# Usage: bash scripts/eval-warmup-base.sh [model folder] [out folder]
set -euo pipefail
model=${1:-models/warmup-base}
out=${2:-runs/warmup-base-card}
mkdir -p "$out"
for spec in mcq:20:4 math:16:2 code:16:2; do
  IFS=: read -r d count samples <<<"$spec"
  npx warmup toy generate --domain "$d" --split test --count "$count" --seed 0 --out "$out/$d-test.jsonl"
  npx warmup eval --model "$model" --task "$d" --data "$out/$d-test.jsonl" --limit "$count" --samples "$samples" \
    --temperature 0.7 --top-p 0.95 --max-new-tokens 128 --batch-size 40 --seed 0 --backend wasm --prompt-style r1 \
    --out "$out/$d"
done
