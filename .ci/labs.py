"""Grades the labs through the learner's own command, `cargo lab check N`,
and checks the results the runner saved (target/socklab/lab-NN.results).

  stubs-fail       the labs as shipped: every check fails with "not implemented yet"
  solutions-pass   each lab with its solution's sources pasted in: every check passes
                   (the lab's files are restored afterwards, even on failure)
"""

import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
LABS = sorted(p for p in (ROOT / "labs").iterdir() if p.is_dir())


def checks_of(lab):
    grade = (lab / "tests" / "grade.rs").read_text()
    return [line.strip()[3:].split("(")[0] for line in grade.splitlines() if line.strip().startswith("fn ")]


def grade(lab):
    number = int(lab.name.split("-")[0])
    run = subprocess.run(["cargo", "lab", "check", str(number)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    results = ROOT / "target" / "socklab" / f"lab-{number:02}.results"
    lines = results.read_text().splitlines() if results.exists() else []
    return run, [line.split("\t") for line in lines]


def stubs_fail():
    for lab in LABS:
        run, results = grade(lab)
        names = sorted(fields[1] for fields in results)
        assert run.returncode == 1, f"{lab.name}: cargo lab check should fail on the stub\n{run.stdout}{run.stderr}"
        assert names == sorted(checks_of(lab)), f"{lab.name}: not every check reported: {names}"
        for fields in results:
            assert fields[0] == "fail", f"{lab.name}: {fields[1]} passes on the stub"
            assert "not implemented yet" in fields[2], f"{lab.name}: {fields[1]} fails on the stub without saying so: {fields[2]}"
        print(f"{lab.name}: {len(results)} checks, all fail with 'not implemented yet'")


def solutions_pass():
    for lab in LABS:
        solution = ROOT / "solutions" / lab.name
        backup = pathlib.Path(tempfile.mkdtemp()) / "src"
        shutil.copytree(lab / "src", backup)
        try:
            shutil.copy(solution / "src" / "lib.rs", lab / "src" / "lib.rs")
            run, results = grade(lab)
        finally:
            shutil.rmtree(lab / "src")
            # shutil.copy, not copy2: the restored files get a new mtime, so
            # cargo sees the change and rebuilds the stub.
            shutil.copytree(backup, lab / "src", copy_function=shutil.copy)
        failing = [fields for fields in results if fields[0] != "pass"]
        assert run.returncode == 0 and not failing and len(results) == len(checks_of(lab)), (
            f"{lab.name} with its solution pasted in does not pass:\n{run.stdout}{run.stderr}"
        )
        print(f"{lab.name}: {len(results)} checks pass with the solution pasted in")
    # The lab must be back as shipped.
    status = subprocess.run(["git", "status", "--porcelain", "labs"], cwd=ROOT, capture_output=True, text=True)
    assert status.stdout == "", f"the labs were not restored:\n{status.stdout}"


if __name__ == "__main__":
    {"stubs-fail": stubs_fail, "solutions-pass": solutions_pass}[sys.argv[1]]()
