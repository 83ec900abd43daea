"""The documentation lists every setting the code reads."""

import re

from tests.processes import BASE_DIR

READS = re.compile(r"\benv(?:str|bool|int|choice|list|url|secret)\(\s*\"([A-Z0-9_]+)\"")


def _settings_read_by_code() -> set[str]:
    names = set()
    for path in BASE_DIR.glob("**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        names |= set(READS.findall(path.read_text()))
    return names


def _env_example() -> set[str]:
    text = (BASE_DIR / ".env.example").read_text()
    return set(re.findall(r"^([A-Z0-9_]+)=", text, re.MULTILINE))


def test_env_example_lists_every_setting_the_code_reads():
    missing = _settings_read_by_code() - _env_example()
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_readme_settings_table_mirrors_env_example():
    readme = (BASE_DIR / "README.md").read_text()
    missing = {name for name in _env_example() if f"`{name}`" not in readme}
    assert not missing, f"add to the README's settings table: {sorted(missing)}"


def test_readme_starts_with_the_two_commands():
    head = "\n".join((BASE_DIR / "README.md").read_text().splitlines()[:8])
    assert "make demo" in head
    assert "make test" in head
