"""
The parts of the project depend on each other in one direction: the domain (cases) on none of
the parts around it, the public site and operations on the domain, the staff accounts on the
workspace only through the admin site. No part reaches into another's private names.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("accounts", "cases", "ops", "public", "observatory", "api")

# What each part may import from the others (the domain's migrations may read the roles).
ALLOWED = {
    # The workspace reads the roles, and turns the database's faults (ops/faults.py) into words.
    "cases": {"accounts.roles", "ops.faults", "ops.timeouts"},
    # The reader's address, read as the login lockout reads it (behind the proxy or not).
    "public": {"cases", "accounts.security", "observatory.http"},
    "ops": {"cases", "public.cache"},
    "accounts": {"cases.admin.dashboard", "cases.admin.base", "cases.search"},
    "observatory": {"public", "accounts", "api"},
    # The public API: the records, the public site's filters and page generation, the methods.
    "api": {"cases", "public.cache", "public.filters", "observatory.http"},
}


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def _modules():
    for part in PARTS:
        for path in sorted((ROOT / part).rglob("*.py")):
            yield part, path


@pytest.mark.parametrize("part,path", list(_modules()), ids=lambda v: str(v)[len(str(ROOT)) :])
def test_it_imports_other_parts_only_as_the_layout_allows(part, path):
    for module, names in _imports(path):
        other = module.split(".")[0]
        if other not in PARTS or other == part:
            continue
        assert any(
            module == allowed or module.startswith(f"{allowed}.") for allowed in ALLOWED[part]
        ), f"{path.relative_to(ROOT)} imports {module}: not allowed for {part}"
        private = [name for name in names if name.startswith("_")]
        assert not private, f"{path.relative_to(ROOT)} imports private {private} from {module}"


def test_the_staff_workspace_and_the_public_site_do_not_import_each_other():
    for part, path in _modules():
        for module, _names in _imports(path):
            if part == "public":
                assert not module.startswith("cases.admin"), path
            if path.is_relative_to(ROOT / "cases" / "admin"):
                assert not module.startswith("public"), path


def test_only_the_url_configuration_imports_the_api():
    for part, path in _modules():
        if part == "api" or path == ROOT / "observatory" / "urls.py":
            continue
        for module, _names in _imports(path):
            assert module.split(".")[0] != "api", f"{path.relative_to(ROOT)} imports {module}"
