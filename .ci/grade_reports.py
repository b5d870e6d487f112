"""`cargo lab grade` end to end, as a teacher runs it: once on the workbook as
shipped (every check fails), once on a copy whose labs hold the reference
solutions (every check passes). The reports are read back: results.json as
autograders read it, report.json, and junit.xml as CI systems read it."""

import json
import pathlib
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parent.parent


def grade(work, out):
    run = subprocess.run(["cargo", "lab", "grade", str(work), "--out", str(out), "--timeout", "20"],
                         cwd=ROOT, capture_output=True, text=True, timeout=1800)
    print(run.stdout.strip())
    results = json.loads((out / "results.json").read_text())
    report = json.loads((out / "report.json").read_text())
    junit = ET.parse(out / "junit.xml").getroot()
    return run.returncode, results, report, junit


def check_consistent(results, report, junit):
    tests = results["tests"]
    assert tests and all(set(t) >= {"name", "score", "max_score", "status", "output"} for t in tests)
    assert results["score"] == sum(t["score"] for t in tests)
    assert report["total"] == len(tests) and report["passed"] == results["score"]
    assert int(junit.get("tests")) == len(tests)
    assert int(junit.get("failures")) == len(tests) - results["score"]


scratch = pathlib.Path(tempfile.mkdtemp())

code, results, report, junit = grade(ROOT, scratch / "stubs")
check_consistent(results, report, junit)
assert code == 1 and results["score"] == 0, "the stubs must score nothing"
assert all("not implemented yet" in t["output"] for t in results["tests"]), "stubs fail, saying why"

solved = scratch / "solved"
shutil.copytree(ROOT, solved, ignore=shutil.ignore_patterns("target", ".socklab", ".git"))
for lab in sorted((solved / "labs").iterdir()):
    shutil.copytree(solved / "solutions" / lab.name / "src", lab / "src", dirs_exist_ok=True)
code, results, report, junit = grade(solved, scratch / "solved-reports")
check_consistent(results, report, junit)
assert code == 0 and results["score"] == len(results["tests"]), "the solutions must score every point"
print(f"graded twice: 0 and {results['score']} of {len(results['tests'])} points, reports consistent")
shutil.rmtree(scratch)
