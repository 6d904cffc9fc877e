#!/usr/bin/env bash
# Exports model NAME as a Hugging Face folder and checks it with scripts/check-hf-export.py (independent reader and
# forward pass): the keys and shapes GPT2LMHeadModel has, and the same logits as Inkling's own loader gives.
#   bash scripts/check-hf-export.sh NAME "some text"
set -euo pipefail
name="$1"; text="${2:-The quick brown fox jumps over the lazy dog.}"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
npx tsx src/cli.ts export "$name" --format hf "$dir/hf" >/dev/null
NAME="$name" TEXT="$text" OUT="$dir/logits.json" npx tsx scripts/check-hf-export-logits.ts
python3 scripts/check-hf-export.py "$dir/hf" "$dir/logits.json"
