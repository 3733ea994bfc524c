"""Which endpoint a session talks to is decided in ``session/environment.py``, which also hands the client
the embedded endpoint's credentials: the boto3 wrapper below it starts no endpoint and looks none up (the
import rule is in ``tests/test_import_hygiene.py``)."""

from __future__ import annotations

import pytest

from ses_workbench.project import Environment, Project
from ses_workbench.ses import errors as E
from ses_workbench.ses.client import SesClient
from ses_workbench.session.environment import open_environment


def test_the_opened_client_carries_the_endpoints_credentials(sample_project: Project) -> None:
    with open_environment(sample_project, local=True) as (client, server):
        assert server is not None
        assert client.list_templates() == []
        # the same endpoint, signed with the placeholders: the endpoint refuses it
        stranger = SesClient(Environment("local", local=True, region="us-east-1",
                                         endpoint_url=server.endpoint_url), sample_project, max_attempts=1)
        with pytest.raises(E.SesError):
            stranger.list_templates()
