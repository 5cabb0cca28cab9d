"""What the stores on AWS share: the region a store is asked in.

CloudWatch Logs and a SigV4-signed OpenSearch each take a region from their settings and, when
none is set, from the standard AWS configuration (``AWS_DEFAULT_REGION``, a profile's region), as
every AWS tool does.
"""

from __future__ import annotations


def configured_region(*settings: str | None) -> str | None:
    """The first region of ``settings`` that is set, else the AWS configuration's, else None."""
    for region in settings:
        if region:
            return region
    # Imported here: worker processes import the stores' packages and never call AWS.
    from botocore.exceptions import BotoCoreError
    from botocore.session import Session

    try:
        region = Session().get_config_variable("region")
    except BotoCoreError:  # an unreadable AWS config file: no region from it
        return None
    return str(region) if region else None
