"""requirements.lock pins every dependency that pyproject.toml declares, so it cannot go stale."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def locked_versions(text):
    """{canonical name: version} of the `name==version` lines of a pip-compile lock file."""
    pins = {}
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def declared_requirements(pyproject):
    """Every requirement pyproject.toml declares: dependencies, every extra, the build backend."""
    project = pyproject["project"]
    declared = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        declared += extra
    declared += pyproject.get("build-system", {}).get("requires", [])
    return [Requirement(text) for text in declared]


def extra_requirements(requirement):
    """What an extra such as psycopg[binary] adds, read from the installed package."""
    added = []
    for extra in requirement.extras:
        for text in metadata.requires(requirement.name) or []:
            dependency = Requirement(text)
            if dependency.marker and dependency.marker.evaluate({"extra": extra}):
                added.append(dependency)
    return added


def unpinned(pyproject, lock_text):
    pins = locked_versions(lock_text)
    problems = []
    requirements = declared_requirements(pyproject)
    requirements += [extra for r in requirements if r.extras for extra in extra_requirements(r)]
    for requirement in requirements:
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        version = pins.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement} is not pinned")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement} is pinned to {version}")
    return problems


def test_the_lock_pins_every_declared_dependency_in_a_version_it_allows():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    problems = unpinned(pyproject, (ROOT / "requirements.lock").read_text())
    assert not problems, "requirements.lock is out of date; run `make lock`: " + "; ".join(problems)


def test_every_pin_carries_a_hash():
    text = (ROOT / "requirements.lock").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    pinned = [entry for entry in entries if PIN.match(entry)]
    assert len(pinned) == len(locked_versions(text)) > 10
    assert all("--hash=sha256:" in entry for entry in pinned)


def test_a_dependency_missing_from_the_lock_is_reported():
    pyproject = {
        "project": {
            "dependencies": ["Django>=5.2,<5.3", "psycopg[binary]>=3.2", "newlib>=1.0"],
            "optional-dependencies": {"dev": ["pytest>=99"]},
        },
        "build-system": {"requires": ["setuptools>=69"]},
    }
    lock = "django==5.2.1 \\\n    --hash=sha256:ab\npsycopg==3.2.0\npytest==8.3.0\n"
    assert unpinned(pyproject, lock) == [
        "newlib>=1.0 is not pinned",
        "pytest>=99 is pinned to 8.3.0",
        "setuptools>=69 is not pinned",
        f"{extra_requirements(Requirement('psycopg[binary]>=3.2'))[0]} is not pinned",
    ]
