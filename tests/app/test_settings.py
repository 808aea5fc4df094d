import re

import pytest

from app.settings import PROJECT_ROOT, Settings


def readme_settings() -> dict[str, str]:
    """Variable -> default column of the README's configuration table."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1]
    table = section[section.index("| variable |"):].split("\n\n", 1)[0]
    out = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        for var in re.findall(r"`(POLICYQA_[A-Z_]+)`", cells[0]):
            out[var] = cells[1]
    return out


def test_readme_lists_every_setting():
    documented = readme_settings()
    assert sorted(documented) == sorted(var for var, _, _ in Settings.describe())


def test_query_precision_defaults_to_int8_and_is_read_from_the_environment():
    assert Settings.from_env(env={}).query_precision == "int8"
    assert Settings.from_env(env={"POLICYQA_QUERY_PRECISION": "fp32"}).query_precision == "fp32"
    assert readme_settings()["POLICYQA_QUERY_PRECISION"] == "`int8`"


def test_bad_number_names_the_variable():
    with pytest.raises(ValueError, match=r"POLICYQA_TORCH_THREADS='two' is not a valid int: CPU threads"):
        Settings.from_env(env={"POLICYQA_TORCH_THREADS": "two"})
