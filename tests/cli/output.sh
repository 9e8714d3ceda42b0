#!/usr/bin/env bash
# tests/cli/output.sh - what -o FILE leaves behind (run by make test):
# a complete report or nothing. A report is written to a temporary file
# beside FILE and renamed over it when complete; a failed run (exit 2)
# removes FILE, so that CI cannot pick up the report of an earlier run;
# devices such as /dev/null are written in place and never removed.
set -u
T=${TRUSTMAP:-./trustmap}
S=samples/shop
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS cli $1"; }
ko() { fail=$((fail + 1)); echo "FAIL cli $1: $2"; }

# 1. success: the file holds the whole report, no temporary file is left,
#    and its mode is what the umask gives a new file
(umask 027; "$T" check -q --format sarif -o "$d/r.sarif" "$S"; echo $? > "$d/rc")
rc=$(cat "$d/rc")
if [ "$rc" != 1 ] && [ "$rc" != 0 ]; then ko success "exit $rc"
elif ! grep -q '"version": "2.1.0"' "$d/r.sarif" || [ "$(tail -c 2 "$d/r.sarif" | head -c 1)" != "}" ]; then
  ko success "not a whole SARIF log"
elif ls "$d"/r.sarif.tmp-* >/dev/null 2>&1; then ko success "temporary file left"
elif [ "$(stat -c %a "$d/r.sarif")" != 640 ]; then ko success "mode $(stat -c %a "$d/r.sarif"), want 640"
else ok success; fi

# 2. an input error removes the report of an earlier run (and says so)
cp "$d/r.sarif" "$d/old.sarif"
"$T" check -q --format sarif -o "$d/old.sarif" "$d/missing-dir" 2> "$d/err"; rc=$?
if [ "$rc" != 2 ]; then ko input-error "exit $rc"
elif [ -e "$d/old.sarif" ]; then ko input-error "stale report left"
elif ! grep -q "removed $d/old.sarif" "$d/err"; then ko input-error "not said: $(cat "$d/err")"
else ok input-error; fi

# 3. so does a usage error
cp "$d/r.sarif" "$d/old.sarif"
"$T" check -q --format nope -o "$d/old.sarif" "$S" 2>/dev/null; rc=$?
if [ "$rc" != 2 ] || [ -e "$d/old.sarif" ]; then ko usage-error "exit $rc, file $(ls "$d/old.sarif" 2>&1)"
else ok usage-error; fi

# 4. findings (exit 1) are a result: the report is written
"$T" check -q --fail-on low -o "$d/f.txt" "$S"; rc=$?
if [ "$rc" != 1 ] || [ ! -s "$d/f.txt" ]; then ko findings "exit $rc, file $(wc -c < "$d/f.txt" 2>&1)"
else ok findings; fi

# 5. a device is written in place, and a failed run leaves it alone
"$T" inventory -q -o /dev/null "$S"; rc1=$?
"$T" inventory -q -o /dev/null "$d/missing-dir" 2>/dev/null; rc2=$?
if [ "$rc1" != 0 ] || [ "$rc2" != 2 ] || [ ! -c /dev/null ]; then ko device "exits $rc1 $rc2"
else ok device; fi

# 6. a write error is exit 2 with a message, also on stdout
"$T" inventory -q -o /dev/full "$S" 2> "$d/err"; rc1=$?
"$T" inventory -q "$S" > /dev/full 2>> "$d/err"; rc2=$?
if [ "$rc1" != 2 ] || [ "$rc2" != 2 ] || [ "$(grep -c "No space left" "$d/err")" != 2 ]; then
  ko write-error "exits $rc1 $rc2: $(cat "$d/err")"
else ok write-error; fi

# 7. a directory that does not exist: exit 2, nothing created
"$T" flows -o "$d/no/such/dir/f.json" tests/pcap/http-plain.pcap 2>/dev/null; rc=$?
if [ "$rc" != 2 ] || [ -e "$d/no" ]; then ko no-dir "exit $rc"
else ok no-dir; fi

echo "cli: $pass passed, $fail failed"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
