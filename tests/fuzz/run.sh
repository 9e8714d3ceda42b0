#!/usr/bin/env bash
# libFuzzer pass over every tests/fuzz/fuzz_*.c (issue 7; docs/security.md).
#
#   tests/fuzz/run.sh [SECONDS] [NAME...]      (make fuzz FUZZ_SECONDS=N)
#
# Builds each harness with clang -fsanitize=fuzzer,address,undefined against
# all library sources (model/ ingest/ ingest/*/ analyzer/ render/) into build-fuzz/,
# then runs each for SECONDS (default 10) on a scratch copy of its corpus
# (build-fuzz/corpus/NAME, seeded from tests/fuzz/corpus/NAME/ and, when it
# exists, from small matching files of ../shared; the committed corpus is
# never written). A crash, leak, timeout or out-of-memory stops the pass:
# the script prints the input that caused it and exits 1. NAME limits the
# pass to some harnesses (fuzz_yaml, or yaml). Environment:
#   FUZZ_CC (clang)  FUZZ_OUT (build-fuzz)  SHARED (../shared)  FUZZ_SEED (libFuzzer -seed; CI sets 1)
#   FUZZ_MAX_LEN (16384)  FUZZ_TIMEOUT (per-input seconds, 10)  FUZZ_RSS_MB (2048)
set -u
cd "$(dirname "$0")/../.." || exit 2
secs=${1:-10}
[ $# -gt 0 ] && shift
case $secs in ''|*[!0-9]*) echo "run.sh: SECONDS must be a number, not '$secs'" >&2; exit 2 ;; esac
CC=${FUZZ_CC:-clang}
out=${FUZZ_OUT:-build-fuzz}
shared=${SHARED:-../shared}
max_len=${FUZZ_MAX_LEN:-16384}
timeout_s=${FUZZ_TIMEOUT:-10}
rss_mb=${FUZZ_RSS_MB:-2048}
pkgs="yaml-0.1 jansson libcgraph libgvc openssl libpcap"

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "run.sh: $CC not found: libFuzzer needs clang" >&2; exit 2
fi
pkg_cflags=$(pkg-config --cflags $pkgs) || { echo "run.sh: pkg-config $pkgs failed" >&2; exit 2; }
pkg_libs=$(pkg-config --libs $pkgs)
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cflags="-std=c11 -D_GNU_SOURCE -O1 -g -I. $pkg_cflags $san"

harnesses=()
for f in tests/fuzz/fuzz_*.c; do
  [ -e "$f" ] || continue
  n=$(basename "$f" .c)
  if [ $# -gt 0 ]; then
    want=0
    for a in "$@"; do [ "$a" = "$n" ] || [ "fuzz_$a" = "$n" ] && want=1; done
    [ $want = 1 ] || continue
  fi
  harnesses+=("$n")
done
if [ ${#harnesses[@]} = 0 ]; then echo "run.sh: no harness selected" >&2; exit 2; fi

mkdir -p "$out/obj" "$out/logs" "$out/corpus" "$out/artifacts" || exit 2

# ---- library objects, rebuilt when the source or any header is newer ----
newest_h=$(ls -t */*.h */*/*.h */*/*.inc tests/fuzz/*.h 2>/dev/null | head -n 1)
lib_src=$(ls model/*.c ingest/*.c ingest/*/*.c analyzer/*.c render/*.c 2>/dev/null | sort)
objs=()
todo=()
for s in $lib_src; do
  o="$out/obj/${s%.c}.o"
  objs+=("$o")
  if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || { [ -n "$newest_h" ] && [ "$newest_h" -nt "$o" ]; }; then
    todo+=("$s")
  fi
done
if [ ${#todo[@]} -gt 0 ]; then
  echo "run.sh: compiling ${#todo[@]} library sources for fuzzing"
  # shellcheck disable=SC2086
  printf '%s\n' "${todo[@]}" | xargs -P "$(nproc 2>/dev/null || echo 2)" -I{} sh -c \
    'o="$1/obj/$(dirname "$2")/$(basename "$2" .c).o"; mkdir -p "$(dirname "$o")";
     '"$CC"' '"$cflags"' -fsanitize=fuzzer-no-link -c "$2" -o "$o" || { rm -f "$o"; exit 255; }' _ "$out" {} \
    || { echo "run.sh: library build failed" >&2; exit 2; }
fi

# small files of ../shared that suit a harness (none for unknown ones)
shared_seeds() {
  case $1 in
    fuzz_yaml|fuzz_yamlfast) find "$shared" -type f \( -name '*.yaml' -o -name '*.yml' \) -size -16k ;;
    fuzz_json|fuzz_jsondiff) find "$shared" -type f -name '*.json' -size -16k ;;
    fuzz_zones) find "$shared" -type f -name '*zones*' -size -16k ;;
    fuzz_pcap) find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' \) -size -256k ;;
  esac 2>/dev/null
}

# an archive, so that a harness links only the objects it needs
lib="$out/libtrustmap-fuzz.a"
stale_lib=0
[ -f "$lib" ] || stale_lib=1
for o in "${objs[@]}"; do [ "$o" -nt "$lib" ] && stale_lib=1; done
if [ $stale_lib = 1 ]; then
  rm -f "$lib"
  ar rcs "$lib" "${objs[@]}" || { echo "run.sh: ar failed" >&2; exit 2; }
fi

# ---- run ----
fail=0
t0=$(date +%s)
for n in "${harnesses[@]}"; do
  bin="$out/$n"
  src="tests/fuzz/$n.c"
  stale=0
  [ -f "$bin" ] || stale=1
  [ "$src" -nt "$bin" ] 2>/dev/null && stale=1
  [ "$lib" -nt "$bin" ] && stale=1
  [ -n "$newest_h" ] && [ "$newest_h" -nt "$bin" ] && stale=1
  if [ $stale = 1 ]; then
    # shellcheck disable=SC2086
    if ! $CC $cflags -fsanitize=fuzzer -o "$bin" "$src" "$lib" $pkg_libs -lm; then
      echo "run.sh: building $n failed" >&2; fail=1; continue
    fi
  fi
  corpus="$out/corpus/$n"
  mkdir -p "$corpus"
  if [ -d "tests/fuzz/corpus/$n" ]; then cp -n tests/fuzz/corpus/"$n"/* "$corpus"/ 2>/dev/null; fi
  # seeds from the shared reference material, read at run time only
  if [ -d "$shared" ] && [ ! -f "$out/corpus/.$n.shared-seeded" ]; then
    shared_seeds "$n" | sort | head -n 300 |
      while IFS= read -r f; do cp "$f" "$corpus/shared-$(printf '%s' "$f" | cksum | cut -d' ' -f1)"; done
    touch "$out/corpus/.$n.shared-seeded"
  fi
  art="$out/artifacts/$n"
  rm -rf "$art"; mkdir -p "$art"
  dict=""
  [ -f "tests/fuzz/$n.dict" ] && dict="-dict=tests/fuzz/$n.dict"
  echo "run.sh: $n for ${secs}s ($(ls "$corpus" | wc -l) inputs in $corpus)"
  # shellcheck disable=SC2086
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$bin" -max_total_time="$secs" -timeout="$timeout_s" -rss_limit_mb="$rss_mb" \
      -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$art/" $dict ${FUZZ_SEED:+-seed=$FUZZ_SEED} \
      "$corpus" >"$out/logs/$n.log" 2>&1
  rc=$?
  crash=$(ls "$art" 2>/dev/null | head -n 1)
  if [ $rc != 0 ] || [ -n "$crash" ]; then
    fail=1
    echo "FAIL fuzz $n (exit $rc)"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$out/logs/$n.log" | head -n 5
    for c in "$art"/*; do [ -e "$c" ] && echo "  crashing input: $c   (reproduce: $bin $c)"; done
    echo "  log: $out/logs/$n.log"
  else
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$out/logs/$n.log" | grep -Eo '[0-9]+$')
    echo "PASS fuzz $n (${runs:-?} runs)"
  fi
done
echo "run.sh: ${#harnesses[@]} harnesses in $(( $(date +%s) - t0 ))s"
exit $fail
