"""Everything that talks to SES: the boto3 ``sesv2`` client path, sync, send, remote render, and the
embedded local SES v2 endpoint (:mod:`ses_workbench.ses.local`)."""
