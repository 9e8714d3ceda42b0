#!/usr/bin/env bash
# tests/cli/graph.sh - graph (SVG, PNG through libgvc) on the inputs that
# crashed libgvc 2.42 (a double free in gvFreeLayout() after its default
# ranking of clusters went wrong) and on 40 small random clusters (bash's
# RANDOM, seeded): every run must exit 0 with a whole drawing. Run by make test.
set -u
T=${TRUSTMAP:-./trustmap}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
pass=0 fail=0
draw() { # NAME FORMAT INPUT
  timeout 60 "$T" graph -q -f "$2" -o "$d/out.$2" "$3" > "$d/log" 2>&1
  local rc=$?
  if [ "$rc" != 0 ]; then
    fail=$((fail + 1)); echo "FAIL graph $1: exit $rc: $(head -c 300 "$d/log")"; return
  fi
  if [ "$2" = svg ] && ! tail -c 8 "$d/out.svg" | grep -q '</svg>'; then
    fail=$((fail + 1)); echo "FAIL graph $1: not a whole SVG"; return
  fi
  if [ "$2" = png ] && [ "$(head -c 4 "$d/out.png" | tail -c 3)" != PNG ]; then
    fail=$((fail + 1)); echo "FAIL graph $1: not a PNG"; return
  fi
  pass=$((pass + 1))
}
draw 6pods-svg svg tests/fixtures/graph-6pods-2ns.yaml
draw 6pods-png png tests/fixtures/graph-6pods-2ns.yaml
draw shop-png png samples/shop
for seed in $(seq 1 40); do
  RANDOM=$seed
  n=$((2 + RANDOM % 11)) nns=$((1 + RANDOM % 4)) f=$d/c$seed.yaml
  : > "$f"
  for i in $(seq 0 $((n - 1))); do
    printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p%d, namespace: ns%d, labels: {app: a%d}}\nspec: {containers: [{name: c, image: x, ports: [{containerPort: %d}]}]}\n---\n' \
      "$i" $((RANDOM % nns)) $((RANDOM % 3)) $((80 + RANDOM % 3)) >> "$f"
  done
  for j in $(seq 1 $((RANDOM % 5))); do
    printf 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np%d, namespace: ns%d}\nspec:\n  podSelector: {matchLabels: {app: a%d}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: a%d}}}], ports: [{port: %d}]}]\n---\n' \
      "$j" $((RANDOM % nns)) $((RANDOM % 3)) $((RANDOM % 3)) $((80 + RANDOM % 3)) >> "$f"
  done
  draw "random-$seed" svg "$f"
done
echo "graph: $pass passed, $fail failed"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
