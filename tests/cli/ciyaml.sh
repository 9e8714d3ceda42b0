#!/bin/sh
# tests/cli/ciyaml.sh - the CI files parse as YAML and have the shape their
# consumers want: action.yml (a composite action whose steps run a shell or
# use an action), ci/trustmap.gitlab-ci.yml (the .trustmap job with a
# script), .pre-commit-hooks.yaml (hooks with id, name, entry, language),
# docs/krew/trustmap.yaml (a krew Plugin). With python3-yaml the structure is
# checked; without it, trustmap's own YAML reader (libyaml) checks the
# syntax. Ends with "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 2
T=${TRUSTMAP:-./trustmap}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { echo "FAIL ciyaml: $*"; fail=$((fail + 1)); }
files="action.yml ci/trustmap.gitlab-ci.yml .pre-commit-hooks.yaml docs/krew/trustmap.yaml"
if python3 -c 'import yaml' 2>/dev/null; then
	for f in $files; do
		python3 - "$f" <<'EOP' && ok || no "$f"
import sys, yaml
f = sys.argv[1]
d = yaml.safe_load(open(f))
def need(c, what):
    if not c:
        sys.exit("%s: %s" % (f, what))
if f == "action.yml":
    need(d["runs"]["using"] == "composite", "runs.using is not composite")
    for s in d["runs"]["steps"]:
        need(("run" in s) == ("shell" in s) and ("run" in s or "uses" in s), "step %r: run without shell, or neither run nor uses" % s.get("name"))
    need(all("description" in v for v in d["inputs"].values()), "an input without description")
elif f.endswith("gitlab-ci.yml"):
    j = d[".trustmap"]
    need(isinstance(j["script"], list) and j["image"], ".trustmap has no script or image")
elif f == ".pre-commit-hooks.yaml":
    need(isinstance(d, list) and d, "not a list of hooks")
    for h in d:
        need(all(k in h for k in ("id", "name", "entry", "language")), "hook %r lacks a key" % h.get("id"))
else:
    need(d["kind"] == "Plugin" and d["spec"]["platforms"][0]["bin"] == "kubectl-trustmap", "not a krew Plugin for kubectl-trustmap")
EOP
	done
else
	echo "ciyaml: python3-yaml not installed: syntax only (trustmap's YAML reader)"
	for f in $files; do
		"$T" inventory -q "$f" >/dev/null 2>&1
		[ $? -le 1 ] && ok || no "$f does not parse as YAML"
	done
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
