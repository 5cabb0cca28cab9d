"""Tokens of cloud providers, infrastructure, secret stores and observability, by their prefixes.

AWS, Google Cloud, Alibaba, Tencent and Yandex Cloud, Vault, Doppler, 1Password, Cloudflare,
Fly.io, OpenShift, Supabase, Grafana, New Relic, Dynatrace, Sentry...: one table of `_Vendor`s,
part of the rule of tokens known by how they start (``vendors``).
"""

from __future__ import annotations

from log_analyzer.logs.redact.rule import _EDGE
from log_analyzer.logs.redact.vendor_rule import _T, _Vendor

_CLOUD_TOKENS = (
    _Vendor(
        "grafana_token",
        # Cloud tokens, service account tokens, and the API keys of Grafana before 9 (base64
        # JSON without the dots of a JWT: {"k":"...","n":"...","id":1}).
        r"glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}"
        r"|eyJrIjoi[A-Za-z0-9]{60,}={0,2}",
        ("glc_", "glsa_"),  # (the API keys start with the JWT's hint, "eyj")
    ),
    _Vendor("google_api_key", rf"AIza[{_T}]{{35}}(?![{_T}])", ("aiza",)),
    _Vendor("google_oauth_secret", rf"GOCSPX-[{_T}]{{28}}(?![{_T}])", ("gocspx-",)),
    _Vendor("google_oauth_token", rf"ya[0-9]{{2}}\.[{_T}]{{20,}}", (), (r"ya[0-9]{2}\.",)),
    _Vendor(
        "aws_access_key",
        r"A(?:KI|SI|BI)A[A-Z0-9]{16}(?![A-Za-z0-9])",
        ("akia", "asia", "abia"),
    ),
    # AWS STS session tokens alone (no key name before them): base64 whose first bytes are the
    # same in every token ("...er/aws", "...origin_ec"), digits matched as any digit.
    _Vendor(
        "aws_session_token",
        r"(?:F[QwA]oGZXIvYXdz|IQoJb[0-9]JpZ[0-9]luX[0-9]Vj)[A-Za-z0-9+/]{40,}={0,2}",
        ("fqogzxivyxdz", "fwogzxivyxdz", "faogzxivyxdz", "iqojb"),
    ),
    # Amazon Bedrock API keys: long-lived (ABSK...), and short-lived (a presigned URL, encoded).
    _Vendor(
        "aws_bedrock_key",
        r"ABSK[A-Za-z0-9+/]{100,}={0,2}|bedrock-api-key-[A-Za-z0-9+/]{40,}={0,2}",
        ("absk",),  # (and "key-", Mailgun's hint, in "bedrock-api-key-")
    ),
    _Vendor(
        "newrelic_key",
        r"NR(?:AK|II|JS|AA|IQ)-[A-Za-z0-9_-]{19,}",
        ("nrak-", "nrii-", "nrjs-", "nraa-", "nriq-"),
    ),
    # Vault's service, batch and recovery tokens.
    _Vendor("vault_token", r"hv[sbr]\.[A-Za-z0-9_-]{24,}", ("hvs.", "hvb.", "hvr.")),
    _Vendor("digitalocean_token", r"do[opr]_v[0-9]_[a-f0-9]{64}", ("dop_v", "doo_v", "dor_v")),
    _Vendor("databricks_token", r"dapi[a-f0-9]{32}(?:-[0-9])?(?![A-Za-z0-9])", ("dapi",)),
    _Vendor(
        "sentry_token",
        r"sntrys_eyJ[A-Za-z0-9+/=_-]{30,}|sntryu_[a-f0-9]{64}(?![A-Za-z0-9])",
        ("sntrys_", "sntryu_"),
    ),
    _Vendor(
        "doppler_token",
        r"dp\.(?:st|sa|ct|pt|scim|audit)\.(?:[A-Za-z0-9_-]{1,40}\.)?[A-Za-z0-9]{40,44}"
        r"(?![A-Za-z0-9_.-])",
        ("dp.st.", "dp.sa.", "dp.ct.", "dp.pt.", "dp.scim.", "dp.audit."),
    ),
    # (The digit of "AGE-SECRET-KEY-1" is matched as any digit.)
    _Vendor("age_secret_key", r"AGE-SECRET-KEY-[0-9][A-Z0-9]{58}", ("age-secret-key-",)),
    _Vendor("tailscale_key", r"tskey-[a-z]+-[A-Za-z0-9]+-[A-Za-z0-9]{20,}", ("tskey-",)),
    _Vendor("supabase_token", r"sbp_[a-f0-9]{40}(?![A-Za-z0-9])", ("sbp_",)),
    _Vendor("planetscale_token", r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64}", ("pscale_",)),
    _Vendor("onepassword_token", r"ops_eyJ[A-Za-z0-9+/=_-]{100,}", ("ops_eyj",)),
    # A 1Password account's Secret Key (A3-...): its digit is matched as any digit.
    _Vendor(
        "onepassword_secret_key",
        r"A[0-9]-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})(?:-[A-Z0-9]{5}){3}"
        r"(?![A-Za-z0-9])",
        (),
        (r"a[0-9]-[a-z0-9]{6}-",),
    ),
    _Vendor(
        "dynatrace_token",
        r"dt[0-9]c[0-9]{2}\.[A-Z0-9]{24}\.[A-Z0-9]{64}(?![A-Za-z0-9])",
        (),
        (r"dt[0-9]c[0-9]{2}\.",),
    ),
    # Fly.io: macaroons after their scheme (FlyV1 fm2_...), or alone (fm1a_, fm1r_, fm2_), and
    # OAuth tokens (fo1_).
    _Vendor(
        "fly_token",
        r"FlyV[0-9] fm[0-9]_[A-Za-z0-9+/=,_-]{50,}|fm[0-9][ar]?_[A-Za-z0-9+/]{100,}={0,3}"
        r"|fo[0-9]_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])",
        (),
        (r"fm[0-9][ar]?_", r"fo[0-9]_"),
    ),
    # OpenShift's OAuth access tokens, as `oc whoami -t` prints them.
    # (Its digits, "256", are matched as any digit.)
    _Vendor(
        "openshift_token",
        r"sha[0-9]{3}~[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])",
        (),
        (r"sha[0-9]{3}~",),
    ),
    _Vendor(
        "artifactory_token",
        r"AKCp[A-Za-z0-9]{69}(?![A-Za-z0-9])|cmVmd[A-Za-z0-9]{59}(?![A-Za-z0-9])",
        ("akcp", "cmvmd"),
    ),
    # Cloudflare Origin CA keys: the version's digits are matched as any digit.
    _Vendor(
        "cloudflare_origin_ca_key",
        r"v[0-9]\.[0-9]-[a-f0-9]{24}-[a-f0-9]{146}",
        (),
        (r"v[0-9]\.[0-9]-[0-9a-f]{4}",),
    ),
    # (No hint of its own: Mailgun's "key-" is in every one.)
    _Vendor("defined_networking_key", rf"dnkey-[={_T}]{{26}}-[={_T}]{{52}}", ()),
    _Vendor("scalingo_token", rf"tk-us-[{_T}]{{48}}(?![{_T}])", ("tk-us-",)),
    _Vendor("posthog_api_key", r"phx_[A-Za-z0-9_]{43,48}(?![A-Za-z0-9_])", ("phx_",)),
    _Vendor("cloudflare_api_key", r"cfk_[A-Za-z0-9]{40}[a-f0-9]{8}(?![A-Za-z0-9])", ("cfk_",)),
    # Access key ids, named like AWS's: Alibaba Cloud's LTAI..., Tencent Cloud's AKID...
    _Vendor("alibaba_access_key", r"LTAI[A-Za-z0-9]{12,20}(?![A-Za-z0-9])", ("ltai",)),
    _Vendor("tencent_access_key", r"AKID[A-Za-z0-9]{32}(?![A-Za-z0-9])", ("akid",)),
    # Authress service client access keys: a client id, a key id, an account, then the key.
    _Vendor(
        "authress_key",
        r"(?:sc|ext|scauth|authress)_[A-Za-z0-9]{5,30}\.[A-Za-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}"
        r"\.[A-Za-z0-9+/_=-]{30,}",
        (),
        (r"\.[a-z0-9]{4,6}\.acc[_-]",),  # ("acc" is hex: no hint of its own)
    ),
    # Yandex Cloud API keys (AQVN...) and IAM tokens (t1. and two parts; the digit as any).
    _Vendor("yandex_token", rf"AQVN[{_T}]{{35,38}}(?![{_T}])", ("aqvn",)),
    _Vendor(
        "yandex_token",
        rf"t[0-9]\.[{_T}]{{8,}}={{0,2}}\.[{_T}]{{86}}={{0,2}}(?![{_T}])",
        (),
        (r"t[0-9]\.[\w-]{8}",),
    ),
    _Vendor("rootly_token", r"rootly_[a-f0-9]{64}(?![A-Za-z0-9])", ("rootly_",)),
    _Vendor(
        "saladcloud_api_key",
        r"salad_cloud_[A-Za-z0-9]{1,7}_[A-Za-z0-9]{7,235}(?![A-Za-z0-9])",
        ("salad_cloud_",),
    ),
    # Dropbox short-lived access tokens ("sl." and 130 or more characters; newer ones "sl.u.").
    _Vendor(
        "dropbox_token",
        r"sl\.(?:u\.)?[A-Za-z0-9_=-]{130,}",
        (),
        (_EDGE + r"sl\.[\w.=-]{8}",),
    ),
    _Vendor("neon_api_key", r"napi_[a-z0-9]{64}(?![A-Za-z0-9])", ("napi_",)),
    # Supabase's secret API keys (the publishable ones, sb_publishable_, are public).
    _Vendor("supabase_token", rf"sb_secret_[{_T}]{{20,}}", ()),  # (hint: Notion's "secret_")
)
