"""Configuration that complains: every key checked, exit 2 naming it (issue 10)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import run_cli
from postman_codegen.config import Config
from postman_codegen.errors import ConfigError
from postman_codegen.render import templates_dir

FIXTURES = Path(__file__).parent / "fixtures" / "output"
SHOP = FIXTURES / "shop.postman_collection.json"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "apis").mkdir()
    shutil.copy(SHOP, tmp_path / "apis" / SHOP.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def configure(project: Path, body: str) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.postman-codegen]\nsources = ["apis"]\noutput = "clients"\n' + body)


def fails(*args: str) -> str:
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not Path("clients").exists(), "a configuration error writes nothing"
    return result.stderr


def test_an_unknown_key_is_named_with_a_suggestion(project: Path) -> None:
    configure(project, 'outptu = "elsewhere"\n')
    err = fails("generate")
    assert ("error: pyproject.toml: [tool.postman-codegen]: unknown key 'outptu' "
            "(did you mean 'output'?)") in err


def test_an_unknown_key_without_a_close_match_lists_the_known_keys(project: Path) -> None:
    configure(project, "colour = 3\n")
    err = fails("check")
    assert "unknown key 'colour'; known keys: sources, output, templates," in err
    assert "did you mean" not in err


@pytest.mark.parametrize(("body", "message"), [
    ("model_style = 3\n", "model_style: expected 'dataclass' or 'msgspec', found a number"),
    ('model_style = "msgpsec"\n',
     "model_style: expected 'dataclass' or 'msgspec', found 'msgpsec' (did you mean 'msgspec'?)"),
    ('optional = "some"\n', "optional: expected 'examples' or 'all', found 'some'"),
    ('environment_defaults = "yes"\n', "environment_defaults: expected true or false, found a string"),
    ("packages = 1\n", "packages: expected a table of collection name = package name, found a number"),
    ("[tool.postman-codegen.packages]\nshop = 2\n", "packages.shop: expected a string, found a number"),
    ('[tool.postman-codegen.types]\n"shop.ping" = "int"\n',
     "types.'shop.ping': expected a table of jmespath = \"type\", found a string"),
    ('[tool.postman-codegen.types."shop.ping"]\nok = 1\n',
     "types.'shop.ping'.'ok': expected a type as a string, found a number"),
    ('[tool.postman-codegen.names]\nping = ["a"]\n', "names.ping: expected a string, found an array"),
    ("templates = 1\n", "templates: expected a path, found a number"),
])
def test_a_value_of_the_wrong_type_is_named(project: Path, body: str, message: str) -> None:
    configure(project, body)
    err = fails("generate")
    assert "pyproject.toml: [tool.postman-codegen] " + message in err


def test_sources_of_the_wrong_type_are_named(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.postman-codegen]\nsources = 3\n")
    assert "sources: expected a path or a list of paths, found a number" in fails("generate")


def test_every_key_reaches_the_options(project: Path) -> None:
    configure(project, (
        'model_style = "msgspec"\noptional = "all"\nenvironment_defaults = true\n'
        '[tool.postman-codegen.types."shop.ping"]\nok = "bool"\n'
        '[tool.postman-codegen.names]\n"Orders / Get order" = "fetch_order"\n'
    ))
    cfg = Config.load((), None, None)
    assert cfg.options.model_style == "msgspec"
    assert cfg.options.optional == "all"
    assert cfg.options.environment_defaults is True
    assert dict(cfg.options.types["shop.ping"]) == {"ok": "bool"}
    assert dict(cfg.options.names) == {"Orders / Get order": "fetch_order"}
    assert cfg.output == Path("clients")


def test_the_model_style_flag_overrides_the_configuration(project: Path) -> None:
    configure(project, 'model_style = "msgspec"\n')
    assert Config.load((), None, None, model_style="dataclass").options.model_style == "dataclass"
    err = fails("generate", "--model-style", "pydantic")
    assert "--model-style: expected 'dataclass' or 'msgspec', found 'pydantic'" in err


def test_a_missing_templates_folder_is_named(project: Path) -> None:
    err = fails("generate", "--templates", "my_templates")
    assert "--templates: templates folder 'my_templates' does not exist" in err
    configure(project, 'templates = "tpl"\n')
    err = fails("generate")
    assert "pyproject.toml: [tool.postman-codegen] templates: templates folder 'tpl' does not exist" in err


def test_a_misspelt_template_file_is_named_with_the_right_name(project: Path) -> None:
    (project / "tpl").mkdir()
    (project / "tpl" / "model.py.jinja").write_text("x\n")
    err = fails("generate", "--templates", "tpl")
    assert "template 'tpl/model.py.jinja' overrides no built-in template " in err
    assert "(did you mean 'models.py.jinja'?)" in err
    assert "built-in templates: README.md.jinja, __init__.py.jinja, client.py.jinja" in err


def test_other_files_in_the_templates_folder_are_allowed(project: Path) -> None:
    (project / "tpl").mkdir()
    (project / "tpl" / "NOTES.txt").write_text("why we override\n")
    Config.load((), None, "tpl")  # no error


def test_check_templates_accepts_every_builtin_name(project: Path) -> None:
    (project / "tpl").mkdir()
    for path in templates_dir().glob("*.jinja"):
        (project / "tpl" / path.name).write_text(path.read_text())
    Config.load((), None, "tpl")
    with pytest.raises(ConfigError):
        Config.load((), None, "missing")


def test_a_template_syntax_error_names_file_and_line(project: Path) -> None:
    (project / "tpl").mkdir()
    (project / "tpl" / "README.md.jinja").write_text("# title\n\nline two\n{% for x in %}\n")
    err = fails("generate", "--templates", "tpl", "-o", "clients", "apis")
    assert "error: tpl/README.md.jinja:4: template error: " in err


def test_an_undefined_template_variable_names_file_and_line(project: Path) -> None:
    (project / "tpl").mkdir()
    (project / "tpl" / "README.md.jinja").write_text("# {{ pkg.title }}\n\n{{ no_such_thing }}\n")
    err = fails("generate", "--templates", "tpl", "-o", "clients", "apis")
    assert "error: tpl/README.md.jinja:3: template error: 'no_such_thing' is undefined" in err


def test_warnings_name_the_request_by_folder_and_name_then_its_place(project: Path) -> None:
    result = run_cli("generate", "-j", "1", "-o", "clients", "apis")
    assert result.exit_code == 0, result.output
    assert ("  apis/shop.postman_collection.json: Orders / List orders "
            "(item[0].item[0].response[1]): example body is not JSON") in result.stderr


def test_an_unreadable_pyproject_is_exit_2(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.postman-codegen\n")
    err = fails("generate")
    assert "pyproject.toml: $: cannot read configuration" in err
