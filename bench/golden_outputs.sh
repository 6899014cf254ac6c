#!/usr/bin/env bash
# Every output kind for fixed inputs, hashed: run it before and after a restructuring and diff the .sums.
#
#   bench/golden_outputs.sh OUTDIR            # this checkout
#   PYTHONPATH=../other/src bench/golden_outputs.sh OUTDIR2   # another checkout's code, this venv
#   diff OUTDIR/.sums OUTDIR2/.sums
#
# Inputs: the seed, tests/data/align (with its English reference), 500 lines of WMT18; each with
# --engine none and with the tiny test model (CTranslate2, beam 2), plus the OmegaT projects, the
# glossary command (CSV, TBX, OmegaT exports), align --links, segment --jsonl. SOURCE_DATE_EPOCH
# is fixed and every cache is private to the run, so equal code gives equal bytes.
set -euo pipefail
D=$(realpath -m "${1:?usage: bench/golden_outputs.sh OUTDIR}")
REPO=$(cd "$(dirname "$0")/.." && pwd)
PY=${PY:-$REPO/.venv/bin/python}
rm -rf "$D"; mkdir -p "$D/.logs"
export SOURCE_DATE_EPOCH=1700000000 HF_HOME=$D/.hf XDG_CACHE_HOME=$D/.xdg TM_BUILDER_CACHE=$D/.cache.sqlite3 HF_HUB_OFFLINE=1
M=$D/.model/tiny
$PY "$REPO/tests/tiny_model.py" "$M" > /dev/null 2>&1
head -500 "$REPO/../shared/data/zh-en/wmt18.zh" > "$D/.wmt18.txt"
SEED=$REPO/seeds/000_08c510cb1e756111.txt
A=$REPO/tests/data/align
T="$PY -m tm_builder"
for eng in none model; do
  if [ $eng = none ]; then E="--engine none"; G="--engine none"
  else E="--engine ct2 --model $M --max-length 16 --beam 2"; G="--engine ct2 --model $M"; fi
  $T translate "$SEED" -o "$D/$eng/seed" $E --omegat "$D/$eng/seed-omegat" > "$D/.logs/$eng.seed.log" 2>&1
  $T translate "$A/seed_zh.txt" --reference "$A/seed_en.txt" -o "$D/$eng/align" $E --omegat "$D/$eng/align-omegat" \
    > "$D/.logs/$eng.align.log" 2>&1
  $T translate "$D/.wmt18.txt" -o "$D/$eng/wmt18" $E > "$D/.logs/$eng.wmt.log" 2>&1
  $T glossary "$SEED" -o "$D/$eng/seed.glossary.csv" $G --export "$D/$eng/seed.tbx" --export "$D/$eng/seed.utf8" \
    > "$D/.logs/$eng.glossary.log" 2>&1
done
$T align "$A/seed_zh.txt" "$A/seed_en.txt" -o "$D/align" --links "$D/align/links.txt" > "$D/.logs/align.log" 2>&1
$T segment "$SEED" --jsonl > "$D/segment.jsonl"
rm -rf "$D/.hf" "$D/.xdg" "$D/.model" "$D"/.cache.sqlite3*
(cd "$D" && find . -type f -not -path './.logs/*' -not -name .sums | sort | xargs sha256sum) > "$D/.sums"
echo "$(wc -l < "$D/.sums") files hashed in $D/.sums"
