#!/usr/bin/env bash
# tests/cli/report.sh - the diagrams and the report as a reader gets them:
# graph's SVG is well-formed XML, its PNG a PNG; the HTML report parses, is
# self-contained (no http(s):// reference, no src= to a file, no <link>),
# holds every section; the Markdown report fits a 65,536-character comment.
# With chromium installed, the report is also rendered to a screenshot
# (skipped when absent). Run by make test; ends with "N passed, N failed".
set -u
T=${TRUSTMAP:-./trustmap}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL report $1"; }
run() { # NAME ARGS...
  local name=$1; shift
  if timeout 120 "$T" "$@" > "$d/log" 2>&1; then ok; else ko "$name: exit $?: $(head -c 300 "$d/log")"; fi
}
xml_ok() { python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1" 2>"$d/err"; }
html_check() { # FILE: parses, self-contained, every section
  python3 - "$1" <<'PY'
import sys, re, html.parser
text = open(sys.argv[1], encoding="utf-8").read()
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.stack = []; s.bad = []; s.ids = set()
    def handle_starttag(s, tag, attrs):
        a = dict(attrs)
        if "id" in a: s.ids.add(a["id"])
        if tag in ("link", "iframe", "img", "object", "embed"): s.bad.append("<%s>" % tag)
        if "src" in a: s.bad.append("src= in <%s>" % tag)
        if tag not in ("meta", "br", "input", "path", "polygon", "ellipse", "polyline", "text", "title", "g", "svg", "option"):
            s.stack.append(tag)
    def handle_endtag(s, tag):
        if tag in ("path", "polygon", "ellipse", "polyline", "text", "title", "g", "svg", "option"): return
        if not s.stack or s.stack[-1] != tag: s.bad.append("unbalanced </%s>" % tag); return
        s.stack.pop()
p = P(); p.feed(text); p.close()
errs = list(p.bad)
if re.search(r"https?://", text): errs.append("an http(s):// reference")
for sec in ("summary", "assumptions", "findings", "matrix", "observed", "lateral", "diagrams"):
    if sec not in p.ids: errs.append("no section " + sec)
if "<svg" not in text: errs.append("no inline SVG")
if p.stack: errs.append("unclosed: " + " ".join(p.stack[-5:]))
if errs: print("; ".join(errs[:5])); sys.exit(1)
PY
}
# graph: SVG parses, PNG is one, DOT is deterministic
run graph-svg graph -q --zones samples/zones.yaml -o "$d/shop.svg" samples/shop
if xml_ok "$d/shop.svg"; then ok; else ko "graph svg does not parse: $(cat "$d/err" | tail -1)"; fi
run graph-png graph -q --zones samples/zones.yaml -o "$d/shop.png" samples/shop
if [ "$(head -c 4 "$d/shop.png" | tail -c 3)" = PNG ]; then ok; else ko "graph png is not a PNG"; fi
run graph-ns-svg graph -q --level namespace -o "$d/ns.svg" samples/shop
if xml_ok "$d/ns.svg"; then ok; else ko "namespace-level svg does not parse"; fi
"$T" graph -q -f dot --zones samples/zones.yaml samples/shop > "$d/a.dot" 2>/dev/null
"$T" graph -q -f dot --zones samples/zones.yaml samples/shop > "$d/b.dot" 2>/dev/null
if cmp -s "$d/a.dot" "$d/b.dot" && [ -s "$d/a.dot" ]; then ok; else ko "graph dot differs between runs"; fi
# report: HTML parses and is self-contained; Markdown within the limit
run report-html report -q --zones samples/zones.yaml -o "$d/r.html" samples/shop
if out=$(html_check "$d/r.html"); then ok; else ko "shop report: $out"; fi
run report-html-fixed report -q samples/shop-fixed -o "$d/f.html"
if out=$(html_check "$d/f.html"); then ok; else ko "shop-fixed report: $out"; fi
run report-md report -q --zones samples/zones.yaml -o "$d/r.md" samples/shop
n=$(python3 -c 'import sys; print(len(open(sys.argv[1], encoding="utf-8").read()))' "$d/r.md")
if [ "$n" -le 65536 ] && grep -q '### trustmap report' "$d/r.md"; then ok; else ko "markdown report: $n characters"; fi
# public apps, when the shared data is there
for app in linkerd-emojivoto online-boutique; do
  dir=../shared/realworld/$app
  [ -d "$dir" ] || continue
  run "graph-$app" graph -q --skip-invalid -o "$d/$app.png" "$dir"
  run "report-$app" report -q --skip-invalid -o "$d/$app.html" "$dir"
  if out=$(html_check "$d/$app.html"); then ok; else ko "$app report: $out"; fi
done
# a browser renders it (optional)
if command -v chromium >/dev/null 2>&1; then
  timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$d/chr" --screenshot="$d/shot.png" --window-size=1400,2000 \
    "file://$d/r.html" > /dev/null 2>&1
  if [ "$(head -c 4 "$d/shot.png" 2>/dev/null | tail -c 3)" = PNG ]; then ok; else ko "chromium did not render the report"; fi
else
  echo "report: chromium not installed: the browser rendering is skipped"
fi
echo "report: $pass passed, $fail failed"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
