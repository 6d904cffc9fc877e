#!/usr/bin/env bash
# Trains the shipped base models with Inkling's own CLI: `npm run train:base [-- MINUTES]`.
#   gutenberg-gpt   char-level GPT, preset nano-cpu
#   gutenberg-lstm  word-level LSTM, preset word, vocabulary capped so the model stays a few MB
# Each run trains into a scratch folder, then drops the optimizer state (shipped models are for sampling and
# fine-tuning, not --resume) and replaces the model in $INKLING_MODELS_DIR (default: ./models) only on success.
# Then it prints `inkling eval` for each, and a Markdown table for the README.
# Settings: MINUTES (first argument or env, default 12 per model), VOCAB (default 4000), SEED (default 1),
# MODELS (default "gutenberg-gpt gutenberg-lstm": train only some), TRAIN=0 (only print the figures of the models there).
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES="${1:-${MINUTES:-12}}"
VOCAB="${VOCAB:-4000}"
SEED="${SEED:-1}"
MODELS="${MODELS:-gutenberg-gpt gutenberg-lstm}"
TARGET="${INKLING_MODELS_DIR:-$PWD/models}"
mkdir -p "$TARGET"
TARGET="$(cd "$TARGET" && pwd)"
SCRATCH="$(mktemp -d "$TARGET/.train-base.XXXXXX")" # same filesystem: the final move is a rename
trap 'rm -rf "$SCRATCH"' EXIT

inkling() { npm run -s inkling -- "$@"; }

train_args() {
  case "$1" in
    gutenberg-gpt) echo "--corpus gutenberg --arch gpt --tokenizer char --preset nano-cpu" ;;
    gutenberg-lstm) echo "--corpus gutenberg --arch lstm --tokenizer word --preset word --vocab $VOCAB" ;;
    *) echo "train-base: unknown model $1 (gutenberg-gpt or gutenberg-lstm)" >&2; return 1 ;;
  esac
}

for name in $MODELS; do
  [ "${TRAIN:-1}" = 0 ] && break
  args="$(train_args "$name")"
  echo "== $name: inkling train $args --minutes $MINUTES --seed $SEED --name $name"
  # shellcheck disable=SC2086 # args is a list of plain words
  INKLING_MODELS_DIR="$SCRATCH" inkling train $args --minutes "$MINUTES" --seed "$SEED" --name "$name"
  rm -f "$SCRATCH/$name/optimizer.json" "$SCRATCH/$name/optimizer.bin"
  rm -rf "$TARGET/$name"
  mv "$SCRATCH/$name" "$TARGET/$name"
  echo "== $name: $(du -sh "$TARGET/$name" | cut -f1) in $TARGET/$name"
done

table="| model | arch | tokenizer | params | size | steps | val loss (nats/token) | perplexity | bits/char | next-token accuracy | continuation accuracy |
|---|---|---|---|---|---|---|---|---|---|---|"
for name in $MODELS; do
  echo "== inkling eval --model $name"
  INKLING_MODELS_DIR="$TARGET" inkling eval --model "$name"
  json="$(INKLING_MODELS_DIR="$TARGET" inkling eval --model "$name" --json 2>/dev/null)"
  row="$(EVAL="$json" node -e '
    const fs = require("fs");
    const [dir, name] = process.argv.slice(1);
    const m = JSON.parse(fs.readFileSync(`${dir}/${name}/manifest.json`, "utf8"));
    const e = JSON.parse(process.env.EVAL);
    const bytes = fs.readdirSync(`${dir}/${name}`).reduce((n, f) => n + fs.statSync(`${dir}/${name}/${f}`).size, 0);
    const cells = [name, m.arch, `${m.tokenizer.kind} (${m.tokenizer.vocabSize})`, m.params.toLocaleString("en"),
      `${(bytes / 1e6).toFixed(1)} MB`, m.step, e.valLoss.toFixed(3), e.perplexity.toFixed(1), e.bitsPerChar.toFixed(3),
      `${(100 * e.nextTokenAccuracy).toFixed(1)}%`,
      `${(100 * e.continuation.accuracy).toFixed(1)}% ± ${(100 * e.continuation.standardError).toFixed(1)}`];
    console.log(`| ${cells.join(" | ")} |`);' "$TARGET" "$name")"
  table="$table
$row"
done
echo
echo "== for the README (inkling eval, held-out last 10% of each book):"
echo "$table"
