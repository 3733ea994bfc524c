"""Which SES endpoint a session talks to: an AWS account, or the embedded local SES endpoint.

:func:`open_environment` is the one place that decides, and the one place that starts the embedded
endpoint (:mod:`ses_workbench.ses.local`) for a client; :mod:`ses_workbench.ses.client` only wraps boto3.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ses_workbench.ses.client import SesClient, has_aws_credentials

if TYPE_CHECKING:  # pragma: no cover
    from ses_workbench.project import Environment, Project
    from ses_workbench.ses.local import LocalSes

__all__ = ["local_credentials", "open_environment", "resolve_environment"]


def local_credentials(endpoint_url: str | None, project: Project | None = None) -> tuple[str, str] | None:
    """The per-run credentials of the local endpoint at ``endpoint_url`` (one in this process, or the one
    serving the project's state folder), else None."""
    from ses_workbench.ses.local import endpoint_credentials

    found = endpoint_credentials(endpoint_url, project.state_dir if project is not None else None) \
        if endpoint_url else None
    return (found.access_key_id, found.secret_access_key) if found else None


def resolve_environment(project: Project, env_name: str | None = None, local: bool | None = None, *,
                        endpoint_url: str | None = None, api: str | None = None,
                        credentials: bool = True) -> Environment:
    """The environment :func:`open_environment` talks to (without starting anything).

    ``credentials=False`` skips the look-up of AWS credentials: the answer is then the configured
    environment (with ``local`` and ``api`` applied), as it is before anything is opened."""
    env = project.config.env(env_name)
    use_local = bool(local) or env.local
    if credentials and not use_local and local is None and env_name is None and endpoint_url is None \
            and env.endpoint_url is None and not has_aws_credentials(env.profile):
        # No credentials for the default AWS environment: work against the embedded endpoint *as the
        # project's "local" environment* (its name, no prefix), so nothing that happens there can be taken
        # for — or recorded in the state folder as — a push to the AWS environment.
        use_local = True
        env = project.config.environments.get("local") or replace(env, name="local", prefix="")
    if api is not None:
        env = replace(env, api=api)
    if use_local and not env.local:
        env = replace(env, local=True, region=env.region or "us-east-1")
    return env


@contextmanager
def open_environment(project: Project, env_name: str | None = None, local: bool | None = None, *,
                     endpoint_url: str | None = None, api: str | None = None, **client_kwargs: Any
                     ) -> Iterator[tuple[SesClient, LocalSes | None]]:
    """A :class:`SesClient` for ``env_name`` (default: the project's default environment).

    The embedded local endpoint is started (state in ``project.state_dir``) and stopped on exit when
    the environment is local, ``local=True`` (``--local``), or the *default* environment is used and
    boto3 finds no AWS credentials — then the client is for the project's ``local`` environment (check
    ``client.environment.name``), never the AWS one.  A named AWS environment without credentials is an error
    (NoCredentials) rather than a silent switch to a local endpoint.  ``endpoint_url``
    (``--endpoint-url``) overrides the environment's endpoint and never starts a server.  When another
    local endpoint already serves the project's state folder, the client talks to that one.
    ``api`` (``--api``: ``v2``, ``v1``, ``auto``) overrides the environment's API generation.
    """
    env = resolve_environment(project, env_name, local, endpoint_url=endpoint_url, api=api)
    server: LocalSes | None = None
    if env.local and not (endpoint_url or env.endpoint_url):
        from ses_workbench.ses.local import LocalSes, LocalSesBusyError

        server = LocalSes(project.state_dir, project.config.local_ses, port=0)
        try:
            endpoint_url = server.start()
        except LocalSesBusyError as exc:
            # `ses-workbench local-ses` (or the TUI) already serves this project: talk to that one.
            if not exc.url:
                raise
            server, endpoint_url = None, exc.url
    try:
        if env.local:
            url = endpoint_url or env.endpoint_url
            client_kwargs.setdefault("credentials", local_credentials(url, project))
        client = SesClient(env, project, endpoint_url=endpoint_url, **client_kwargs)
        yield client, server
    finally:
        if server is not None:
            server.stop()
