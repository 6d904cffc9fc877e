#!/bin/sh
# q8 quality on a model that has learned something (random weights say nothing about perplexity): a small
# Llama (bench/q8-quality-model.py) imported, fully fine-tuned on a shipped corpus, quantised, and both scored on
# the corpus's held-out split; then bench/q8-groups.ts for one scale per row vs per group. Figures: bench/RESULTS.md.
# Usage: sh bench/q8-quality.sh [WORK_DIR] [CORPUS] [MINUTES]   (defaults: a temp folder, shakespeare, 12)
set -eu
WORK=${1:-$(mktemp -d)}
CORPUS=${2:-shakespeare}
MINUTES=${3:-12}
cd "$(dirname "$0")/.."
export INKLING_MODELS_DIR="$WORK/models" INKLING_CONFIG_DIR="$WORK/config" INKLING_BACKEND=wasm
inkling() { npx tsx src/cli.ts "$@"; }
python3 bench/q8-quality-model.py "$WORK/hf" --hidden 128 --layers 4 --heads 4 --kv-heads 2 --context 128
inkling import "$WORK/hf" --name q8q-base
inkling finetune --from q8q-base --data "$CORPUS" --name q8q-f32 --minutes "$MINUTES" --lr 0.002 --patience 0 --seed 1
inkling quantize q8q-f32 --name q8q-q8
inkling eval --model q8q-f32 --corpus "$CORPUS" --json > "$WORK/eval-f32.json"
inkling eval --model q8q-q8 --corpus "$CORPUS" --json > "$WORK/eval-q8.json"
node -e '
  const [a, b] = process.argv.slice(1).map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
  const d = (b.perplexity - a.perplexity) / a.perplexity;
  console.log(`float32 loss ${a.valLoss.toFixed(6)} perplexity ${a.perplexity.toFixed(4)}; q8 loss ${b.valLoss.toFixed(6)} perplexity ${b.perplexity.toFixed(4)}; q8 vs float32 ${(d * 100).toFixed(4)}% (${a.tokens} held-out tokens)`);
' "$WORK/eval-f32.json" "$WORK/eval-q8.json"
npx tsx bench/q8-groups.ts "$INKLING_MODELS_DIR/q8q-f32" "$CORPUS"
