#!/usr/bin/env python3
"""run.py - the engine differential test (`make test`).

For every seed of SEEDS, tests/engines/gen.py writes a random corner-case
cluster; every command below runs on it once with the default engine and
once with the engine it is compared with (TRUSTMAP_ENGINE, default
"classes"), and the two outputs (standard output, standard error, exit
status) must be byte-identical. Any line that differs fails the seed and is
printed.

  tests/engines/run.py [--seeds N] [--engine NAME] [-v]
Prints one line per failing seed and ends with "N passed, N failed".
"""
import os
import subprocess
import sys
import tempfile

SEEDS = list(range(1, 41))
HERE = os.path.dirname(os.path.abspath(__file__))
T = os.environ.get("TRUSTMAP", "./trustmap")


def run(engine, args):
    env = dict(os.environ)
    if engine:
        env["TRUSTMAP_ENGINE"] = engine
    else:
        env.pop("TRUSTMAP_ENGINE", None)
    p = subprocess.run([T] + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.stdout.decode("utf-8", "replace") + "\n--stderr--\n" + p.stderr.decode("utf-8", "replace") + \
        "\n--exit %d--\n" % p.returncode


def names(out):
    """endpoint names of a conn txt output, in order of appearance"""
    seen = []
    for line in out.split("\n"):
        if " => " not in line:
            continue
        for part in line.split(" => ")[0], line.split(" => ")[1].split(" : ")[0]:
            if part not in seen:
                seen.append(part)
    return seen


def commands(path, other, base_out):
    cmds = [["conn", path], ["conn", "--ipv6", path], ["conn", "--granularity", "pod", path],
            ["conn", "--ipblock-matches-pods", path], ["conn", "-f", "json", "--port", "80", path],
            ["check", "-f", "json", path], ["diff", path, other]]
    eps = names(base_out)
    wl = [e for e in eps if not e.endswith("[External]")]
    ext = [e for e in eps if e.endswith("[External]")]
    for i, e in enumerate(wl[:3]):
        cmds.append(["reach", "--hops", "2", e, path])
    if len(wl) >= 2:
        cmds.append(["explain", wl[0], wl[-1], path])
        cmds.append(["explain", "-f", "json", wl[1], wl[0], path])
    if ext and wl:
        cmds.append(["explain", ext[0], wl[0], path])
        cmds.append(["reach", ext[-1], path])
    cmds.append(["reach", "no-such-workload", path])
    return cmds


def main():
    verbose = "-v" in sys.argv
    engine = "classes"
    seeds = SEEDS
    if "--engine" in sys.argv:
        engine = sys.argv[sys.argv.index("--engine") + 1]
    if "--seeds" in sys.argv:
        seeds = list(range(1, int(sys.argv[sys.argv.index("--seeds") + 1]) + 1))
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            path = os.path.join(tmp, "s%d.yaml" % seed)
            other = os.path.join(tmp, "s%d-next.yaml" % seed)
            subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(seed), path], check=True)
            subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(seed + 100000), other], check=True)
            base = run(None, ["conn", path])
            bad = []
            for c in commands(path, other, base):
                a, b = run(None, c), run(engine, c)
                if a != b:
                    la, lb = a.split("\n"), b.split("\n")
                    diff = [(i, x, y) for i, (x, y) in enumerate(zip(la, lb)) if x != y][:5]
                    if len(la) != len(lb):
                        diff.append((min(len(la), len(lb)), "(%d lines)" % len(la), "(%d lines)" % len(lb)))
                    bad.append((c, diff))
            if bad:
                failed += 1
                print("FAIL seed %d (gen.py %d FILE):" % (seed, seed))
                for c, diff in bad:
                    print("  trustmap %s" % " ".join(c).replace(tmp + "/", ""))
                    for i, x, y in diff:
                        print("    line %d: default: %s\n    line %d: %s: %s" % (i + 1, x, i + 1, engine, y))
            else:
                passed += 1
                if verbose:
                    print("PASS seed %d" % seed)
    print("engines: default vs %s on %d random clusters" % (engine, len(seeds)))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
