#!/usr/bin/env bash
# PyTorch speed reference for bench workloads (d) and (e): runs bench/pytorch_reference.py with torch
# pointed at OpenBLAS (pthread build). Debian's torch links libblas.so.3; unless that resolves to
# OpenBLAS it gets the reference BLAS and looks 3-7x slower than it is.
# Needs (not installed by this script): apt-get install -y python3-torch python3-numpy libopenblas0-pthread
# Prints one JSON object on stdout; {"skipped":"<reason>"} (exit 0) when torch is not available.
# Usage: bash bench/pytorch-reference.sh [--workload d|e|all] [--quick] [--threads N]
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

dir=""
if command -v dpkg >/dev/null 2>&1; then
  lib="$(dpkg -L libopenblas0-pthread 2>/dev/null | grep '/libblas\.so\.3$' | head -n1)"
  [ -n "$lib" ] && dir="$(dirname "$lib")"
fi
if [ -z "$dir" ]; then
  for d in /usr/lib/*/openblas-pthread /usr/lib/openblas-pthread; do
    [ -e "$d/libblas.so.3" ] && { dir="$d"; break; }
  done
fi
if [ -n "$dir" ]; then
  export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
  echo "pytorch-reference: no OpenBLAS pthread build found; torch may use the reference BLAS" >&2
fi

# The first python3 on PATH may be a pyenv/venv one without Debian's dist-packages: try the system one too.
py=""
for cand in "${PYTHON:-}" python3 /usr/bin/python3; do
  [ -n "$cand" ] && command -v "$cand" >/dev/null 2>&1 || continue
  if "$cand" -c 'import torch' >/dev/null 2>&1; then py="$cand"; break; fi
done
if [ -z "$py" ]; then
  if command -v python3 >/dev/null 2>&1 || [ -x /usr/bin/python3 ]; then
    echo '{"skipped":"torch is not importable (apt-get install -y python3-torch python3-numpy libopenblas0-pthread)"}'
  else
    echo '{"skipped":"python3 not found"}'
  fi
  exit 0
fi
exec "$py" "$here/pytorch_reference.py" "$@"
