"""Loading a project: config, template discovery, names, fixtures, errors that name the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ses_workbench.project import (
    ConfigError,
    FixtureError,
    PartError,
    Project,
    TemplateContent,
    TemplateNameError,
    TemplateSizeError,
    UnknownFixtureError,
    UnknownTemplateError,
    validate_name,
)
from ses_workbench.project.config import parse_config

from .helpers import write_template


def test_sample_project_loads(sample_project: Project) -> None:
    names = sample_project.names
    for expected in ("welcome", "verify-email", "password-reset", "order-receipt", "shipping-update",
                     "invoice", "weekly-digest", "team-invitation"):
        assert expected in names
    assert names == sorted(names)
    assert sample_project.problems == []
    cfg = sample_project.config
    assert cfg.sender == "Acme <noreply@acme.test>"
    assert "success@simulator.amazonses.com" in cfg.test_recipients
    assert cfg.text_part == "generate"
    assert cfg.local_ses.verified_identities == ("acme.test",)
    assert cfg.env("staging").prefix == "stg-"
    assert cfg.env("staging").remote_name("welcome") == "stg-welcome"
    assert cfg.env("staging").local_name("stg-welcome") == "welcome"
    assert cfg.env("staging").local_name("welcome") is None
    assert cfg.env().local and cfg.env().name == "local"
    assert set(cfg.environments) == {"local", "staging", "production"}
    assert sample_project.state_dir == sample_project.root / ".ses-workbench"


def test_every_sample_has_2_to_4_fixtures_that_parse(sample_project: Project) -> None:
    for tpl in sample_project.templates.values():
        assert 2 <= len(tpl.fixtures) <= 4, tpl.name
        for fx in tpl.fixtures.values():
            assert fx.error is None, fx.error
            assert isinstance(fx.data, dict)
        content = tpl.compose()
        assert content.subject and "\n" not in content.subject
        assert content.text, tpl.name
        assert "[[" not in content.html and "{%" not in content.html


def test_samples_mix_layouts_and_text_parts(sample_project: Project) -> None:
    tpls = sample_project.templates.values()
    with_layout = [t for t in tpls if "base.html" in (t.source("html") or "")]
    assert len(with_layout) >= 3
    assert any(t.text_generated for t in tpls)
    assert any(t.has_part("text") for t in tpls)
    assert not sample_project.get("order-receipt").uses_layout


def test_order_receipt_is_the_8kb_sample(sample_project: Project) -> None:
    content = sample_project.get("order-receipt").compose()
    assert 6_500 <= len(content.html.encode()) <= 10_000
    assert content.html.count("{{#each") == 2


def test_missing_config_gives_defaults(tmp_path: Path) -> None:
    write_template(tmp_path, "t")
    project = Project.load(tmp_path)
    assert project.config.text_part == "generate"
    assert project.config.sender is None
    assert list(project.config.environments) == ["local"]
    assert project.config.local_ses.sandbox is True
    assert project.config.local_ses.max_24h_send == 200


def test_malformed_toml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "ses-workbench.toml").write_text('sender = "a"\ntext_part = \n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        Project.load(tmp_path)
    assert "ses-workbench.toml" in str(err.value)
    assert err.value.line == 2


@pytest.mark.parametrize("raw, fragment", [
    ({"text_part": "sometimes"}, "text_part"),
    ({"test_recipients": [1, 2]}, "test_recipients"),
    ({"default_env": "nowhere"}, "default_env"),
    ({"environments": {"prod": {"prefix": "bad prefix!"}}}, "prefix"),
    ({"environments": {"prod": {"regoin": "eu-west-1"}}}, "regoin"),
    ({"environments": {"prod": {"local": "yes"}}}, "local"),
    ({"local_ses": {"max_send_rate": -1}}, "max_send_rate"),  # 0 is "unlimited"
    ({"local_ses": {"sandbox": 1}}, "sandbox"),
    ({"local_ses": {"max_24h_send": True}}, "max_24h_send"),
    ({"local_ses": {"verified_identities": "acme.test", "bogus": 1}}, "bogus"),
    ({"layout_vars": 3}, "layout_vars"),
])
def test_config_type_errors(raw: dict, fragment: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(raw, tmp_path / "ses-workbench.toml")
    assert fragment in str(err.value)
    assert "ses-workbench.toml" in str(err.value)


def test_config_accepts_full_example(tmp_path: Path) -> None:
    cfg = parse_config({
        "sender": "x@y.test", "test_recipients": "one@y.test", "text_part": "require",
        "layout_vars": {"brand": {"name": "X"}}, "default_env": "prod",
        "environments": {"prod": {"profile": "p", "region": "eu-west-1", "prefix": "p-"},
                         "dev": {"local": True, "endpoint_url": "http://127.0.0.1:9"}},
        "local_ses": {"sandbox": False, "max_send_rate": 14, "max_24h_send": -1,
                      "template_ops_per_second": 2.5, "verified_identities": ["y.test"]},
        "tui": {"theme": "dark"},
    })
    assert cfg.test_recipients == ("one@y.test",)
    assert cfg.env().name == "prod" and cfg.env().profile == "p"
    assert cfg.env("dev").local and cfg.env("dev").region == "us-east-1"
    assert cfg.local_ses.max_send_rate == 14.0 and cfg.local_ses.max_24h_send == -1
    assert cfg.extra == {"tui": {"theme": "dark"}} and cfg.unknown_keys == ("tui",)
    with pytest.raises(ConfigError, match="no environment named 'nope'"):
        cfg.env("nope")


@pytest.mark.parametrize("name", ["", "a" * 65, "has space", "dot.name", "ünï", "slash/x"])
def test_bad_template_names(name: str) -> None:
    with pytest.raises(TemplateNameError):
        validate_name(name)


@pytest.mark.parametrize("name", ["a", "A-b_9", "x" * 64])
def test_good_template_names(name: str) -> None:
    assert validate_name(name) == name


def test_bad_folder_name_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    write_template(tmp_path, "good")
    write_template(tmp_path, "bad.name")
    write_template(tmp_path, "_private")
    write_template(tmp_path, ".hidden")
    (tmp_path / "docs").mkdir()  # no part files: not a template at all
    (tmp_path / "docs" / "README.md").write_text("hi")
    project = Project.load(tmp_path)
    assert project.names == ["good"]
    assert len(project.problems) == 1
    assert isinstance(project.problems[0], TemplateNameError)
    assert "bad.name" in str(project.problems[0])


def test_unknown_template_suggests_close_names(sample_project: Project) -> None:
    with pytest.raises(UnknownTemplateError, match="did you mean welcome"):
        sample_project.get("welcom")


def test_fixture_default_and_unknown(sample_project: Project) -> None:
    tpl = sample_project.get("welcome")
    assert tpl.fixture().name == "default"
    assert tpl.fixture("no-trial.json").name == "no-trial"
    with pytest.raises(UnknownFixtureError, match="no-trail"):
        tpl.fixture("no-trail")


def test_no_fixtures(tmp_path: Path) -> None:
    write_template(tmp_path, "t")
    tpl = Project.load(tmp_path).get("t")
    assert tpl.fixtures == {}
    with pytest.raises(UnknownFixtureError, match="no fixtures"):
        tpl.fixture()


def test_broken_json_fixture_has_line_and_column(tmp_path: Path) -> None:
    write_template(tmp_path, "t", fixtures={"broken": '{\n  "a": 1,\n  "b": \n}\n', "list": "[1, 2]"})
    tpl = Project.load(tmp_path).get("t")
    fx = tpl.fixture("broken")
    assert isinstance(fx.error, FixtureError)
    assert (fx.error.line, fx.error.column) == (4, 1)
    assert str(fx.error).startswith(str(fx.path) + ":4:1: invalid JSON")
    with pytest.raises(FixtureError):
        _ = fx.data
    assert "JSON object" in str(tpl.fixture("list").error)


def test_fixture_rereads_when_file_changes(tmp_path: Path) -> None:
    write_template(tmp_path, "t", fixtures={"default": {"a": 1}})
    tpl = Project.load(tmp_path).get("t")
    fx = tpl.fixture()
    assert fx.data == {"a": 1}
    tpl.write_fixture("default", '{"a": 22}')
    assert fx.data == {"a": 22}


def test_size_limit(tmp_path: Path) -> None:
    write_template(tmp_path, "big", html="<p>" + "x" * 400_000 + "</p>", text="y" * 200_000)
    write_template(tmp_path, "ok", html="<p>" + "x" * 300_000 + "</p>", text="y" * 200_000)
    project = Project.load(tmp_path)
    with pytest.raises(TemplateSizeError) as err:
        project.get("big").compose()
    assert "body.html" in str(err.value)
    assert project.get("big").compose(validate=False).size_bytes > 500 * 1024
    assert project.get("ok").compose().size_bytes < 500 * 1024


def test_size_counts_utf8_bytes() -> None:
    assert TemplateContent("s", "é", "€").size_bytes == 2 + 3


@pytest.mark.parametrize("subject", ["", "   \n", None])
def test_empty_or_missing_subject(subject: str | None, tmp_path: Path) -> None:
    write_template(tmp_path, "t", subject=subject)
    with pytest.raises(PartError) as err:
        Project.load(tmp_path).get("t").compose()
    assert "subject.txt" in str(err.value)


def test_subject_trailing_newline_dropped_and_multiline_refused(tmp_path: Path) -> None:
    write_template(tmp_path, "a", subject="Hello\r\n")
    write_template(tmp_path, "b", subject="Hello\nthere\n")
    project = Project.load(tmp_path)
    assert project.get("a").compose().subject == "Hello"
    with pytest.raises(PartError, match="one line"):
        project.get("b").compose()


def test_text_part_policies(tmp_path: Path) -> None:
    write_template(tmp_path, "t", html="<p>Hi {{name}}</p>")
    project = Project.load(tmp_path)
    assert project.get("t").compose().text == "Hi {{name}}\n"
    (tmp_path / "ses-workbench.toml").write_text('text_part = "optional"\n')
    project.reload()
    assert project.get("t").compose().text is None
    (tmp_path / "ses-workbench.toml").write_text('text_part = "require"\n')
    project.reload()
    with pytest.raises(PartError, match="body.txt"):
        project.get("t").compose()


def test_text_only_template(tmp_path: Path) -> None:
    write_template(tmp_path, "t", html=None, text="Hi {{name}}\n")
    content = Project.load(tmp_path).get("t").compose()
    assert content.html == "" and content.text == "Hi {{name}}\n"
    assert content.to_v2() == {"Subject": "Hello {{name}}", "Text": "Hi {{name}}\n"}


def test_source_keeps_crlf_and_drops_bom(tmp_path: Path) -> None:
    folder = write_template(tmp_path, "t")
    (folder / "body.html").write_bytes(b"\xef\xbb\xbf<p>a</p>\r\n<p>b</p>\r\n")
    tpl = Project.load(tmp_path).get("t")
    assert tpl.source("html") == "<p>a</p>\r\n<p>b</p>\r\n"
    assert tpl.source("text") is None


def test_non_utf8_part_names_the_file(tmp_path: Path) -> None:
    folder = write_template(tmp_path, "t")
    (folder / "body.html").write_bytes(b"<p>\xff</p>")
    with pytest.raises(PartError) as err:
        Project.load(tmp_path).get("t").compose()
    assert "body.html" in str(err.value) and "UTF-8" in str(err.value)


def test_content_hash_and_v2_roundtrip() -> None:
    a = TemplateContent("S", "<p>h</p>", "t")
    assert TemplateContent.from_v2(a.to_v2()) == a
    assert a.content_hash() == TemplateContent("S", "<p>h</p>", "t").content_hash()
    assert a.content_hash() != TemplateContent("S", "<p>h</p>", None).content_hash()
    assert a.to_v1("n") == {"TemplateName": "n", "SubjectPart": "S", "HtmlPart": "<p>h</p>", "TextPart": "t"}


def test_owner_of(sample_project: Project) -> None:
    tpl = sample_project.get("invoice")
    assert sample_project.owner_of(tpl.part_path("html")) is tpl
    assert sample_project.owner_of(sample_project.root / "ses-workbench.toml") is None
    assert sample_project.owner_of("/elsewhere/x") is None


def test_load_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="not a directory"):
        Project.load(tmp_path / "nope")


@pytest.mark.parametrize(("typed", "hint"), [
    ("welcom", "; did you mean welcome?"), ("reset", "; did you mean password-reset?"),
    ("WELCOME", "; did you mean welcome?"), ("nope", ""), ("e", ""),
])
def test_unknown_template_suggestions_are_plausible(sample_project: Project, typed: str, hint: str) -> None:
    with pytest.raises(UnknownTemplateError) as info:
        sample_project.get(typed)
    assert str(info.value).endswith(f"no template named {typed!r}{hint}")
