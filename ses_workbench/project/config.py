"""The project config, ``ses-workbench.toml`` at the project root: sender, recipients, text-part policy,
layout variables, named environments and the local SES endpoint's simulated account.

The file is optional (every key has a default).  A malformed file, or a key with the wrong type, raises
:class:`ConfigError` naming the file — the project cannot be trusted with a half-read config.  Unknown keys
are kept in :attr:`Config.extra` (other layers may own sections) and listed in :attr:`Config.unknown_keys`
so lint can point at typos.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ses_workbench.project.errors import ConfigError

__all__ = ["CONFIG_FILE", "Config", "Environment", "LocalSesConfig", "TEXT_PART_POLICIES", "load_config",
           "parse_toml"]

CONFIG_FILE = "ses-workbench.toml"
TEXT_PART_POLICIES = ("generate", "require", "optional")
API_GENERATIONS = ("v2", "v1", "auto")
TextPartPolicy = Literal["generate", "require", "optional"]
LOCAL_ENV = "local"
_PREFIX_RE = re.compile(r"^[a-zA-Z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Environment:
    """Where templates are pushed: an AWS account/region (``profile``, ``region``), or the embedded local
    endpoint (``local=True``).  ``prefix`` is prepended to every template name there, so one account can
    hold ``stg-welcome`` and ``welcome`` side by side.  ``api``: the SES API generation spoken there —
    ``"v2"`` (sesv2), ``"v1"`` (the 2017 API, for accounts whose IAM policy grants only its actions) or
    ``"auto"`` (v2, and the 2017 API once a v2 action is denied)."""

    name: str
    local: bool = False
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    prefix: str = ""
    api: str = "auto"

    def remote_name(self, template_name: str) -> str:
        """The SES name of a project template in this environment (prefix applied)."""
        return f"{self.prefix}{template_name}"

    def local_name(self, remote_name: str) -> str | None:
        """The project name of an SES template in this environment, or None if it lacks our prefix."""
        if not remote_name.startswith(self.prefix):
            return None
        return remote_name[len(self.prefix):] or None


@dataclass(frozen=True)
class LocalSesConfig:
    """The simulated account of the embedded local SES endpoint (defaults: a fresh sandbox account)."""

    sandbox: bool = True
    max_send_rate: float = 1.0
    max_24h_send: int = 200
    template_ops_per_second: float = 1.0
    verified_identities: tuple[str, ...] = ()
    iam_allow: tuple[str, ...] | None = None  # the simulated IAM policy's SES actions; None: all allowed


def _local_env() -> Environment:
    return Environment(name=LOCAL_ENV, local=True, region="us-east-1")


@dataclass(frozen=True)
class Config:
    """The parsed ``ses-workbench.toml`` (or the defaults when there is none)."""

    path: Path | None = None
    sender: str | None = None
    test_recipients: tuple[str, ...] = ()
    text_part: TextPartPolicy = "generate"
    layout_vars: dict[str, Any] = field(default_factory=dict)
    environments: dict[str, Environment] = field(default_factory=lambda: {LOCAL_ENV: _local_env()})
    default_env: str = LOCAL_ENV
    local_ses: LocalSesConfig = field(default_factory=LocalSesConfig)
    extra: dict[str, Any] = field(default_factory=dict)
    unknown_keys: tuple[str, ...] = ()

    def env(self, name: str | None = None) -> Environment:
        """The named environment (default: :attr:`default_env`); ConfigError lists the known names."""
        key = name or self.default_env
        try:
            return self.environments[key]
        except KeyError:
            known = ", ".join(sorted(self.environments))
            raise ConfigError(f"no environment named {key!r} (known: {known})", self.path) from None


_KNOWN_TOP = {"sender", "test_recipients", "text_part", "layout_vars", "environments", "default_env",
              "local_ses"}
_ENV_KEYS = {"local", "profile", "region", "endpoint_url", "prefix", "api"}
_LOCAL_SES_KEYS = {"sandbox", "max_send_rate", "max_24h_send", "template_ops_per_second",
                   "verified_identities", "iam_allow"}
_IAM_ACTION = re.compile(r"ses:[A-Za-z*?]+")


def load_config(root: Path) -> Config:
    """Read ``root/ses-workbench.toml``; defaults when it does not exist; ConfigError when it is wrong."""
    from ses_workbench.project.files import UnsafeFile, read_file

    path = root / CONFIG_FILE
    try:  # a regular file inside the project only (no FIFO, no link out of it)
        data = read_file(path, root.resolve())
    except FileNotFoundError:
        return Config()
    except UnsafeFile as exc:
        raise ConfigError(f"cannot read the config: {exc.reason}", path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason})", path) from None
    return parse_config(parse_toml(text, path), path, text=text)


def parse_toml(text: str, path: Path | None = None) -> dict[str, Any]:
    """``tomllib.loads(text)``; a :class:`ConfigError` (with line and column when known) for malformed
    TOML, also for nesting so deep that the pure-Python parser runs out of recursion (``x = [[[...]]]``)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column = _toml_position(str(exc))
        raise ConfigError(f"malformed TOML: {_toml_reason(str(exc))}", path, line, column) from None
    except RecursionError:
        raise ConfigError("malformed TOML: arrays or tables nested too deeply", path) from None


def parse_config(raw: dict[str, Any], path: Path | None = None, *, text: str | None = None) -> Config:
    """Validate an already-parsed TOML document (also used by tests and ``Project.from_config``);
    ``text`` (the file's) lets an error point at its line."""
    p = _Checker(path, text)
    sender = p.opt_str(raw, "sender")
    recipients = p.str_list(raw, "test_recipients")
    text_part = raw.get("text_part", "generate")
    if text_part not in TEXT_PART_POLICIES:
        p.fail(f"text_part must be one of {', '.join(TEXT_PART_POLICIES)}, not {text_part!r}", ("text_part",))
    layout_vars = raw.get("layout_vars", {})
    if not isinstance(layout_vars, dict):
        p.fail("layout_vars must be a table", ("layout_vars",))

    environments: dict[str, Environment] = {LOCAL_ENV: _local_env()}
    envs_raw = raw.get("environments", {})
    if not isinstance(envs_raw, dict):
        p.fail("environments must be a table of tables ([environments.NAME])")
    for name, env_raw in envs_raw.items():
        environments[name] = _parse_env(p, name, env_raw)

    default_env = raw.get("default_env", LOCAL_ENV)
    if not isinstance(default_env, str) or default_env not in environments:
        known = ", ".join(sorted(environments))
        p.fail(f"default_env {default_env!r} is not a defined environment (known: {known})", ("default_env",))

    local_raw = raw.get("local_ses", {})
    if not isinstance(local_raw, dict):
        p.fail("local_ses must be a table")
    for key in local_raw:
        if key not in _LOCAL_SES_KEYS:
            # an error, not a warning: a mistyped limit would simulate another account than intended
            p.fail(f"unknown key local_ses.{key}{did_you_mean(key, _LOCAL_SES_KEYS)} "
                   f"(known: {', '.join(sorted(_LOCAL_SES_KEYS))})", ("local_ses", key))
    local_ses = LocalSesConfig(
        sandbox=p.typed(local_raw, "sandbox", bool, True, "local_ses."),
        max_send_rate=p.positive(local_raw, "max_send_rate", 1.0),
        max_24h_send=p.typed(local_raw, "max_24h_send", int, 200, "local_ses."),
        template_ops_per_second=p.positive(local_raw, "template_ops_per_second", 1.0, zero_unlimited=True),
        verified_identities=tuple(p.str_list(local_raw, "verified_identities", "local_ses.")),
        iam_allow=tuple(p.str_list(local_raw, "iam_allow", "local_ses."))
        if "iam_allow" in local_raw else None,
    )
    for action in local_ses.iam_allow or ():
        if not _IAM_ACTION.fullmatch(action):
            p.fail(f"local_ses.iam_allow: {action!r} is not an SES action (write it as in an IAM policy: "
                   "\"ses:CreateTemplate\", \"ses:Send*\", \"ses:*\")", ("local_ses", "iam_allow"))
    if local_ses.max_24h_send < -1:
        p.fail("local_ses.max_24h_send must be -1 (unlimited) or more")

    extra = {k: v for k, v in raw.items() if k not in _KNOWN_TOP}
    return Config(
        path=path,
        sender=sender,
        test_recipients=tuple(recipients),
        text_part=text_part,
        layout_vars=dict(layout_vars),
        environments=environments,
        default_env=default_env,
        local_ses=local_ses,
        extra=extra,
        unknown_keys=tuple(sorted(extra)),
    )


def _parse_env(p: _Checker, name: str, env_raw: Any) -> Environment:
    where = f"environments.{name}"
    if not isinstance(env_raw, dict):
        p.fail(f"{where} must be a table")
    for key in env_raw:
        if key not in _ENV_KEYS:
            # an error, not a warning: a mistyped prefix or region would push to another place than meant
            p.fail(f"unknown key {where}.{key}{did_you_mean(key, _ENV_KEYS)} "
                   f"(known: {', '.join(sorted(_ENV_KEYS))})", ("environments", name, key))
    is_local = p.typed(env_raw, "local", bool, name == LOCAL_ENV, f"{where}.")
    prefix = p.typed(env_raw, "prefix", str, "", f"{where}.")
    if not _PREFIX_RE.match(prefix):
        p.fail(f"{where}.prefix {prefix!r} may only use letters, digits, '_' and '-' (SES names)")
    region = p.typed(env_raw, "region", str, None, f"{where}.")
    if is_local and region is None:
        region = "us-east-1"
    api = p.typed(env_raw, "api", str, "auto", f"{where}.")
    if api not in API_GENERATIONS:
        p.fail(f"{where}.api must be one of {', '.join(API_GENERATIONS)}, not {api!r}",
               ("environments", name, "api"))
    return Environment(
        name=name,
        local=is_local,
        profile=p.typed(env_raw, "profile", str, None, f"{where}."),
        region=region,
        endpoint_url=p.typed(env_raw, "endpoint_url", str, None, f"{where}."),
        prefix=prefix,
        api=api,
    )


class _Checker:
    """Small helpers that raise ConfigError naming the file (and the offending key)."""

    def __init__(self, path: Path | None, text: str | None = None) -> None:
        self.path = path
        self.text = text

    def fail(self, message: str, key: tuple[str, ...] | None = None) -> Any:
        where = key_position(self.text, key) if key is not None and self.text is not None else None
        raise ConfigError(message, self.path, *(where or (None, None)))

    def typed(self, table: dict[str, Any], key: str, kind: type, default: Any, where: str = "") -> Any:
        if key not in table:
            return default
        value = table[key]
        # bool is an int subclass: reject true/false where a number is expected.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(f"{where}{key} must be {_kind_name(kind)}, not {value!r}", _key_path(where, key))
        return value

    def opt_str(self, table: dict[str, Any], key: str) -> str | None:
        value: str | None = self.typed(table, key, str, None)
        return value

    def positive(self, table: dict[str, Any], key: str, default: float,
                 zero_unlimited: bool = False) -> float:
        """A number above 0 (with ``zero_unlimited`` also 0: unlimited, as LocalSesSettings reads it)."""
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not (value > 0 or zero_unlimited and value == 0):
            what = "0 (unlimited) or a number above 0" if zero_unlimited else "a number above 0"
            self.fail(f"local_ses.{key} must be {what}, not {value!r}", ("local_ses", key))
        return float(value)

    def str_list(self, table: dict[str, Any], key: str, where: str = "") -> list[str]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{where}{key} must be a list of strings", _key_path(where, key))
        return list(value)


def _key_path(where: str, key: str) -> tuple[str, ...]:
    return (*(w for w in where.split(".") if w), key)


def _kind_name(kind: type) -> str:
    names = {bool: "true or false", int: "an integer", str: "a string", float: "a number"}
    return names.get(kind, kind.__name__)


#: Top-level tables that other layers own (the TUI reads ``[tui.keymap]``): not typos.
OWNED_ELSEWHERE = ("tui",)

_HEADER_RE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_PART = r"(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
_ASSIGN_RE = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = re.findall(r"\"[^\"]*\"|'[^']*'|[^.\s]+", dotted)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def key_position(text: str, path: tuple[str, ...]) -> tuple[int, int] | None:
    """Where the key ``path`` (e.g. ``("environments", "prod", "regoin")``) is defined in TOML ``text``:
    ``(line, column)`` 1-based, or None.  Best effort (a line scan, not a parser): for lint's pointers."""
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER_RE.match(line)
        if header:
            table = _split_key(header.group(1))
            if table[:len(path)] == path:
                return number, line.index("[") + 1
            continue
        assign = _ASSIGN_RE.match(line)
        if assign and (table + _split_key(assign.group(1)))[:len(path)] == path:
            return number, len(line) - len(line.lstrip()) + 1
    return None


def did_you_mean(word: str, known: list[str] | tuple[str, ...] | set[str]) -> str:
    """``; did you mean x?`` for a close known word, else ``""``."""
    import difflib

    close = difflib.get_close_matches(word, sorted(known), n=2, cutoff=0.6)
    return f"; did you mean {' or '.join(close)}?" if close else ""


def unknown_config_keys(config: Config) -> list[tuple[str, str, int, int]]:
    """The top-level keys of ``ses-workbench.toml`` nothing reads (typos: ``test_recipient``), as
    ``(key, message, line, column)`` for lint; tables other layers own (``[tui]``) are not listed."""
    if config.path is None:
        return []
    try:
        text = config.path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        text = ""
    out: list[tuple[str, str, int, int]] = []
    for key in config.unknown_keys:
        if key in OWNED_ELSEWHERE:
            continue
        line, column = key_position(text, (key,)) or (1, 1)
        out.append((key, f"unknown key {key!r} in {CONFIG_FILE} is ignored{did_you_mean(key, _KNOWN_TOP)}"
                         f" (known: {', '.join(sorted(_KNOWN_TOP))})", line, column))
    return out


def _toml_position(message: str) -> tuple[int | None, int | None]:
    m = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if m:
        return int(m.group(1)), int(m.group(2))
    return None, None


def _toml_reason(message: str) -> str:
    return re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
