"""Print the README's settings table from .env.example (run: python3 scripts/settings-table.py)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    print("| Variable | Default | Meaning |\n|---|---|---|")
    for line in (ROOT / ".env.example").read_text().splitlines():
        variable = re.match(r"([A-Z0-9_]+)=(\S*)\s*(?:#\s*(.*))?$", line)
        if variable:
            name, default, meaning = variable.groups()
            print(f"| `{name}` | {f'`{default}`' if default else '(empty)'} | {meaning or ''} |")
        elif line.startswith("# ") and not line.startswith("# Every setting"):
            print(f"| **{line[2:]}** | | |")


if __name__ == "__main__":
    main()
