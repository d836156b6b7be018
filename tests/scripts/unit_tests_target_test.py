#!/usr/bin/env python3
"""The quick loop's build graph: `unit_tests` (what `scripts/test -L unit` builds) builds the
binary of every test labelled unit, and no service binary, no salesopsctl and no main.cc.

Usage: unit_tests_target_test.py <build dir>   (a Ninja build directory)
"""
import json
import re
import subprocess
import sys

build = sys.argv[1]


def run(*command):
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


# The binaries the target builds: the inputs of its phony edge, relative to the build dir.
query = run("ninja", "-C", build, "-t", "query", "tests/unit_tests")
edge = query.split("  input: phony\n", 1)[-1].split("  outputs:", 1)[0]
built = {line.strip() for line in edge.splitlines() if line.strip()}

# The binary behind each test ctest runs for `-L unit` (promtool and the like are not built).
listed = json.loads(run("ctest", "--test-dir", build, "-N", "-L", "unit", "--show-only=json-v1"))
needed = set()
for test in listed["tests"]:
    command = test.get("command") or []
    if command and command[0].startswith(build.rstrip("/") + "/"):
        needed.add(command[0][len(build.rstrip("/")) + 1:])
if len(needed) < 5:
    fail(f"only {sorted(needed)} behind the unit tests: is the build complete?")
missing = needed - built
if missing:
    fail(f"tests labelled unit whose binary unit_tests does not build: {sorted(missing)}")

# Nothing unit_tests builds, however indirectly, is a binary the unit tests do not need.
inputs = run("ninja", "-C", build, "-t", "inputs", "unit_tests").splitlines()
forbidden = re.compile(r"(^|/)(services/salesops-[a-z-]+|cli/salesopsctl|[a-z_]+/main\.cc)$")
unwanted = [path for path in inputs if forbidden.search(path)]
if unwanted:
    fail(f"unit_tests builds {unwanted}")
print(f"PASS: {len(built)} unit test binaries, {len(inputs)} inputs, no service binary")
