#!/usr/bin/env bash
# NPA scenarios that ../shared/conformance/npa/run.sh skips but trustmap supports:
# the json/csv/md/dot goldens of plain connlist scenarios and the
# --focusworkload / --focusworkload-peer / --focus-direction / --focus-conn
# ones (mapped to trustmap's --focus, --focus-peer, --focus-direction,
# --focus-conn). Outputs are compared as sets of lines (JSON: as parsed
# values). Ratchet: tests/conformance/npa-formats-passing.txt.
set -u
cd "$(dirname "$0")/../.." || exit 2
shared=${1:-../shared}
exec python3 - "$shared/conformance/npa" tests/conformance/npa-formats-passing.txt "${2:-}" <<'PY'
import json, os, subprocess, sys
npa, ratchet_file, mode = sys.argv[1], sys.argv[2], sys.argv[3]
sc = json.load(open(os.path.join(npa, 'scenarios.json')))['scenarios']
flagmap = {'focusworkload': '--focus', 'focusworkload-peer': '--focus-peer',
           'focus-direction': '--focus-direction', 'focus-conn': '--focus-conn'}
def norm(t): return sorted(l.rstrip() for l in t.splitlines() if l.strip())
res = {}
for s in sc:
    if s['kind'] != 'connlist' or s['category'] not in ('plain', 'focus-workload', 'focus-conn'):
        continue
    if s['category'] == 'plain' and s['format'] == 'txt':
        continue  # run.sh covers these
    flags = {k: v for k, v in s['flags'].items() if k != 'file'}
    if any(k not in flagmap for k in flags):
        continue
    sid = s['expected'].split('test_outputs/', 1)[1]
    cmd = ['./trustmap', 'conn', '-q', '--format', s['format']]
    for k, v in sorted(flags.items()):
        cmd += [flagmap[k], ','.join(v) if isinstance(v, list) else str(v)]
    cmd.append(os.path.join(npa, s['inputs'][0]))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    exp = open(os.path.join(npa, s['expected'])).read()
    ok = p.returncode == 0
    if ok and s['format'] == 'json':
        try:
            got_v, exp_v = json.loads(p.stdout), json.loads(exp)
            key = lambda x: json.dumps(x, sort_keys=True)
            ok = sorted(map(key, got_v)) == sorted(map(key, exp_v))
        except ValueError:
            ok = False
    elif ok:
        ok = norm(p.stdout) == norm(exp)
    res[sid] = ok
    if not ok and mode == '-v':
        print('FAIL', sid, ' '.join(cmd))
ratchet = set(l.strip() for l in open(ratchet_file) if l.strip() and not l.startswith('#')) if os.path.exists(ratchet_file) else set()
if mode == '--update':
    with open(ratchet_file, 'w') as f:
        f.write('# NPA json/csv/md/dot and focus scenarios that pass (tests/conformance/formats.sh). Add, never remove.\n')
        f.write(''.join(k + '\n' for k in sorted(k for k, v in res.items() if v)))
    sys.exit(0)
reg = sorted(k for k in ratchet if not res.get(k))
new = sorted(k for k, v in res.items() if v and k not in ratchet)
for k in reg: print('REGRESSION', k)
for k in new: print('NEW PASS', k, '(add it to the ratchet)')
fails = sorted(k for k, v in res.items() if not v)
print('formats/focus: %d passed, %d failed, %d in the ratchet, %d regressed' % (len(res) - len(fails), len(fails), len(ratchet), len(reg)))
sys.exit(1 if reg else 0)
PY
