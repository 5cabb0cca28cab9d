"""Vendor tokens, known by their prefixes and alphabets: the whole match is the secret.

`_VENDORS` holds the tokens known by how they start (a JWT's ``eyJ``, GitHub's ``ghp_``,
Stripe's ``sk_live_``...), `_TAIL_TOKENS` those known by their middle or end; each table is one
rule (`_vendor_rule`), as the secret scanners (gitleaks, detect-secrets, trufflehog) describe the
tokens. Beside them, what a vendor's format gives away: an AWS secret key right after its key
id, a PEM private key base64-encoded again (a kubeconfig's client-key-data), Vault's unseal and
recovery key shares.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from log_analyzer.logs.redact.rule import _EDGE, _inside_word, _placeholder, _Rule, _swap
from log_analyzer.logs.redact.values import _high_entropy, _mixed_case_with_digit, _opaque_id


class _Vendor(NamedTuple):
    kind: str
    pattern: str
    hints: tuple[str, ...]
    shapes: tuple[str, ...] = ()


_T = "A-Za-z0-9_-"  # base64url, and most vendors' token alphabets
# (Where a token found by a shape may start: `_EDGE`, the one boundary of `rule.py`.)
_GITLAB = ("pat", "dt", "rt", "ft", "soat", "ptt", "imt", "agent", "ffct", "oas", "cbt")
# Each pattern starts with a literal (no leading look-behind, no IGNORECASE) so the regex engine
# can jump straight to candidate positions; word boundaries are checked by the replacer instead.
_VENDORS = (
    _Vendor("jwt", rf"eyJ[{_T}]{{7,}}\.[{_T}]{{4,}}\.[{_T}]*", ("eyj",)),
    # PASETO: a version, a purpose, a base64url payload (encrypted, or signed), maybe a footer.
    _Vendor(
        "paseto",
        rf"v[0-9]\.(?:local|public)\.[{_T}]{{40,}}(?:\.[{_T}]+)?",
        (),
        (r"v[0-9]\.(?:local|public)\.",),
    ),
    _Vendor(
        "github_token",
        r"gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    _Vendor(
        "gitlab_token",
        # A routable token ends with a dot and 9 characters (GitLab's routing part and CRC).
        rf"gl(?:{'|'.join(_GITLAB)})-[{_T}]{{20,}}(?:\.[a-z0-9]{{9}}(?![A-Za-z0-9]))?",
        tuple(f"gl{kind}-" for kind in _GITLAB),
    ),
    # A runner registration token (GR1348941...): its digits are matched as any digit.
    _Vendor("gitlab_token", rf"GR[0-9]{{7}}[{_T}]{{20,}}", (), (r"gr[0-9]{7}",)),
    _Vendor(
        "grafana_token",
        # Cloud tokens, service account tokens, and the API keys of Grafana before 9 (base64
        # JSON without the dots of a JWT: {"k":"...","n":"...","id":1}).
        r"glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}"
        r"|eyJrIjoi[A-Za-z0-9]{60,}={0,2}",
        ("glc_", "glsa_"),  # (the API keys start with the JWT's hint, "eyj")
    ),
    _Vendor(
        "slack_token",
        r"xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,}",
        ("xox", "xapp-"),
    ),
    _Vendor("google_api_key", rf"AIza[{_T}]{{35}}(?![{_T}])", ("aiza",)),
    _Vendor("google_oauth_secret", rf"GOCSPX-[{_T}]{{28}}(?![{_T}])", ("gocspx-",)),
    _Vendor("google_oauth_token", rf"ya[0-9]{{2}}\.[{_T}]{{20,}}", (), (r"ya[0-9]{2}\.",)),
    _Vendor(
        "stripe_key",
        r"[rs]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9+/]{32,}",
        ("k_live_", "k_test_", "whsec_"),
    ),
    _Vendor(
        "anthropic_api_key", rf"sk-ant-(?:api|admin|sid)[0-9]{{2}}-[{_T}]{{32,}}", ("sk-ant-",)
    ),
    _Vendor(
        "openai_api_key",
        rf"sk-(?:proj|svcacct|admin)-[{_T}]{{20,}}|sk-[A-Za-z0-9]{{20}}T[0-9]BlbkFJ[A-Za-z0-9]{{20}}",
        ("sk-",),
    ),
    # OpenRouter (a version, then 64 hex digits), Langfuse (a UUID), DeepSeek (32 lower-case
    # letters and digits): one case, which the loose rule below would take for a name. (No
    # hints of their own: OpenAI's "sk-" is in every one.)
    _Vendor("openrouter_api_key", r"sk-or-v[0-9]-[a-f0-9]{64}(?![A-Za-z0-9])", ()),
    _Vendor(
        "langfuse_secret_key",
        r"sk-lf-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}(?![A-Za-z0-9])",
        (),
    ),
    _Vendor("deepseek_api_key", rf"sk-[a-z0-9]{{32}}(?![{_T}])", ()),
    _Vendor("llm_api_key", rf"sk-[{_T}]{{20,}}", ("sk-",)),  # OpenAI-compatible providers
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
    _Vendor("twilio_api_key", r"SK[0-9a-fA-F]{32}(?![A-Za-z0-9])", (), (r"sk[0-9a-f]{8}",)),
    _Vendor("sendgrid_api_key", rf"SG\.[{_T}]{{22}}\.[{_T}]{{43}}(?![{_T}])", ("sg.",)),
    _Vendor("mailgun_api_key", r"key-[0-9a-f]{32}(?![A-Za-z0-9])", ("key-",)),
    _Vendor(
        "newrelic_key",
        r"NR(?:AK|II|JS|AA|IQ)-[A-Za-z0-9_-]{19,}",
        ("nrak-", "nrii-", "nrjs-", "nraa-", "nriq-"),
    ),
    _Vendor("npm_token", r"npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])", ("npm_",)),
    _Vendor(
        "pypi_token",
        rf"pypi-AgE(?:IcHlwaS[0-9]vcmc|NdGVzdC[0-9]weXBpLm[0-9]yZw)[{_T}]{{50,}}",
        ("pypi-age",),
    ),
    _Vendor(
        "huggingface_token", r"(?:hf|api_org)_[A-Za-z0-9]{34}(?![A-Za-z0-9])", ("hf_", "api_org_")
    ),
    _Vendor(
        "shopify_token",
        r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![A-Za-z0-9])",
        ("shpat_", "shpca_", "shppa_", "shpss_"),
    ),
    # Vault's service, batch and recovery tokens.
    _Vendor("vault_token", r"hv[sbr]\.[A-Za-z0-9_-]{24,}", ("hvs.", "hvb.", "hvr.")),
    _Vendor("digitalocean_token", r"do[opr]_v[0-9]_[a-f0-9]{64}", ("dop_v", "doo_v", "dor_v")),
    _Vendor("databricks_token", r"dapi[a-f0-9]{32}(?:-[0-9])?(?![A-Za-z0-9])", ("dapi",)),
    _Vendor("docker_token", rf"dckr_(?:pat|oat)_[{_T}]{{27,}}", ("dckr_pat_", "dckr_oat_")),
    _Vendor("pulumi_token", r"pul-[a-f0-9]{40}(?![A-Za-z0-9])", ("pul-",)),
    _Vendor(
        "sentry_token",
        r"sntrys_eyJ[A-Za-z0-9+/=_-]{30,}|sntryu_[a-f0-9]{64}(?![A-Za-z0-9])",
        ("sntrys_", "sntryu_"),
    ),
    _Vendor("linear_api_key", r"lin_api_[A-Za-z0-9]{40}(?![A-Za-z0-9])", ("lin_api_",)),
    _Vendor("postman_api_key", r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}(?![A-Za-z0-9])", ("pmak-",)),
    _Vendor("heroku_api_key", rf"HRKU-[{_T}]{{20,}}", ("hrku-",)),
    _Vendor(
        "doppler_token",
        r"dp\.(?:st|sa|ct|pt|scim|audit)\.(?:[A-Za-z0-9_-]{1,40}\.)?[A-Za-z0-9]{40,44}"
        r"(?![A-Za-z0-9_.-])",
        ("dp.st.", "dp.sa.", "dp.ct.", "dp.pt.", "dp.scim.", "dp.audit."),
    ),
    _Vendor("shippo_token", r"shippo_(?:live|test)_[a-f0-9]{40}(?![A-Za-z0-9])", ("shippo_",)),
    # Atlassian API tokens (ATATT) and admin keys (ATCTT), and Bitbucket's app passwords and
    # Data Center tokens.
    _Vendor("atlassian_token", r"AT[AC]TT[0-9][A-Za-z0-9_=-]{50,}", ("atatt", "atctt")),
    _Vendor("bitbucket_token", rf"ATBB[A-Za-z0-9]{{28,}}(?![{_T}])", ("atbb",)),
    # ("bbdc" is hex: the shape keeps it from the end of a hex id.)
    _Vendor(
        "bitbucket_token",
        r"BBDC-[A-Za-z0-9+/@_-]{40,50}(?![A-Za-z0-9+/@_-])",
        (),
        (_EDGE + "bbdc-",),
    ),
    # The digits of these prefixes (sq0atp-, EAACEdEose0cBA, AGE-SECRET-KEY-1) are matched as
    # any digit: whether a rule matches may depend on where digits are, never on which.
    # Square: OAuth tokens and secrets (sandbox ones too), and personal access tokens (EAAA...).
    # "EAA" and a letter start Meta's tokens too (below); as a hint it could lie inside a hex id,
    # so the shape for both asks for a letter or a separator no hex id holds.
    _Vendor(
        "square_token",
        rf"sq[0-9](?:atp|atb|csp)-[{_T}]{{22,}}|EAAA[{_T}]{{60}}(?![{_T}])",
        (),
        (r"sq[0-9](?:atp|atb|csp)-", _EDGE + r"eaa[a-z][a-z0-9_-]*[g-z_-]"),
    ),
    # Meta's Graph API tokens: the explorer's, and page and user tokens (EAAG..., EAAM...).
    _Vendor(
        "facebook_token",
        r"EAACEdEose[0-9]cBA[A-Za-z0-9]{20,}|EAA[A-Z][A-Za-z0-9]{100,}",
        (),  # Square's shape finds these too: "EAA", a letter, then letters past "f".
    ),
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
    _Vendor("mapbox_token", rf"sk\.eyJ[{_T}]{{20,}}\.[{_T}]{{20,}}", ("sk.eyj",)),
    # Fly.io: macaroons after their scheme (FlyV1 fm2_...), or alone (fm1a_, fm1r_, fm2_), and
    # OAuth tokens (fo1_).
    _Vendor(
        "fly_token",
        r"FlyV[0-9] fm[0-9]_[A-Za-z0-9+/=,_-]{50,}|fm[0-9][ar]?_[A-Za-z0-9+/]{100,}={0,3}"
        r"|fo[0-9]_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])",
        (),
        (r"fm[0-9][ar]?_", r"fo[0-9]_"),
    ),
    _Vendor("netlify_token", r"nfp_[A-Za-z0-9]{36}(?![A-Za-z0-9])", ("nfp_",)),
    _Vendor("rubygems_token", r"rubygems_[a-f0-9]{48}(?![A-Za-z0-9])", ("rubygems_",)),
    _Vendor("contentful_token", rf"CFPAT-[{_T}]{{43}}(?![{_T}])", ("cfpat-",)),
    _Vendor("prefect_token", r"pnu_[A-Za-z0-9]{36}(?![A-Za-z0-9])", ("pnu_",)),
    _Vendor("buildkite_token", r"bkua_[a-f0-9]{40}(?![A-Za-z0-9])", ("bkua_",)),
    _Vendor("circleci_token", r"CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}(?![A-Za-z0-9])", ("ccipat_",)),
    _Vendor("render_token", r"rnd_[A-Za-z0-9]{32}(?![A-Za-z0-9])", ("rnd_",)),
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
    _Vendor(
        "braintree_token",
        r"access_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32}",
        ("token$",),
    ),
    _Vendor(
        "brevo_api_key",
        r"x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}",
        ("xkeysib-", "xsmtpsib-"),
    ),
    _Vendor("clojars_token", r"CLOJARS_[A-Za-z0-9]{60}(?![A-Za-z0-9])", ("clojars_",)),
    # Cloudflare Origin CA keys: the version's digits are matched as any digit.
    _Vendor(
        "cloudflare_origin_ca_key",
        r"v[0-9]\.[0-9]-[a-f0-9]{24}-[a-f0-9]{146}",
        (),
        (r"v[0-9]\.[0-9]-[0-9a-f]{4}",),
    ),
    # (No hint of its own: Mailgun's "key-" is in every one.)
    _Vendor("defined_networking_key", rf"dnkey-[={_T}]{{26}}-[={_T}]{{52}}", ()),
    _Vendor("duffel_token", r"duffel_(?:test|live)_[A-Za-z0-9_=-]{43}", ("duffel_",)),
    _Vendor("easypost_api_key", r"EZ[AT]K[A-Za-z0-9]{54}(?![A-Za-z0-9])", ("ezak", "eztk")),
    # Firebase Cloud Messaging's legacy server keys: the digits of "APA91b" as any digit.
    _Vendor(
        "firebase_server_key",
        rf"AAAA[{_T}]{{7}}:APA[0-9]{{2}}b[{_T}]{{100,}}",
        (),
        (r":apa[0-9]{2}b",),
    ),
    _Vendor("flutterwave_key", r"FLWSECK(?:_TEST)?-[a-h0-9]{32}-X", ("flwseck",)),
    _Vendor("frameio_token", rf"fio-u-[={_T}]{{64}}", ("fio-u-",)),
    _Vendor(
        "harness_token",
        r"(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}(?![A-Za-z0-9])",
        ("pat.", "sat."),
    ),
    _Vendor("infracost_token", r"ico-[A-Za-z0-9]{32}(?![A-Za-z0-9])", ("ico-",)),
    # Notion's integration tokens: the digits after "ntn_" are part of the format.
    _Vendor("notion_token", r"ntn_[0-9]{11}[A-Za-z0-9]{35}(?![A-Za-z0-9])", ("ntn_",)),
    _Vendor("perplexity_api_key", r"pplx-[A-Za-z0-9]{48}(?![A-Za-z0-9])", ("pplx-",)),
    _Vendor("readme_api_key", r"rdme_[a-z0-9]{70}(?![A-Za-z0-9])", ("rdme_",)),
    _Vendor("scalingo_token", rf"tk-us-[{_T}]{{48}}(?![{_T}])", ("tk-us-",)),
    _Vendor(
        "sourcegraph_token",
        r"sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}(?![A-Za-z0-9])",
        ("sgp_",),
    ),
    _Vendor("typeform_token", r"tfp_[A-Za-z0-9_.=-]{59}", ("tfp_",)),
    # AI and developer platforms' API keys, by their prefixes, alphabets and lengths.
    _Vendor("groq_api_key", r"gsk_[A-Za-z0-9]{52}(?![A-Za-z0-9])", ("gsk_",)),
    _Vendor("xai_api_key", r"xai-[A-Za-z0-9_]{80}(?![A-Za-z0-9_])", ("xai-",)),
    # Replicate: "r8_" (its digit matched as any digit) and 37 characters.
    _Vendor("replicate_token", rf"r[0-9]_[{_T}]{{37}}(?![{_T}])", (), (r"r[0-9]_",)),
    _Vendor(
        "pinecone_api_key", r"pcsk_[A-Za-z0-9]{5,6}_[A-Za-z0-9]{63}(?![A-Za-z0-9])", ("pcsk_",)
    ),
    _Vendor(
        "langsmith_api_key",
        r"lsv[0-9]_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}(?![A-Za-z0-9])",
        ("lsv",),  # (its digit matched as any digit: "lsv" then "_pt_" or "_sk_")
    ),
    _Vendor("nvidia_api_key", rf"nvapi-[{_T}]{{64}}(?![{_T}])", ("nvapi-",)),
    _Vendor("figma_token", rf"figd_[{_T}]{{40}}(?![{_T}])", ("figd_",)),
    _Vendor("posthog_api_key", r"phx_[A-Za-z0-9_]{43,48}(?![A-Za-z0-9_])", ("phx_",)),
    _Vendor(
        "sonar_token",
        r"sq[upa]_[a-f0-9]{40}(?![A-Za-z0-9])|sqco_[A-Za-z0-9]{59}(?![A-Za-z0-9])",
        (),
        (r"sq(?:[upa]|co)_",),
    ),
    _Vendor("cloudflare_api_key", r"cfk_[A-Za-z0-9]{40}[a-f0-9]{8}(?![A-Za-z0-9])", ("cfk_",)),
    # Notion's legacy integration tokens (now ntn_, above).
    _Vendor("notion_token", r"secret_[A-Za-z0-9]{43}(?![A-Za-z0-9])", ("secret_",)),
    # Access key ids, named like AWS's: Alibaba Cloud's LTAI..., Tencent Cloud's AKID...
    _Vendor("alibaba_access_key", r"LTAI[A-Za-z0-9]{12,20}(?![A-Za-z0-9])", ("ltai",)),
    _Vendor("tencent_access_key", r"AKID[A-Za-z0-9]{32}(?![A-Za-z0-9])", ("akid",)),
    # Stripe's PaymentIntent and SetupIntent client secrets: the intent's id, "_secret_", a
    # random part; with one, a browser confirms the payment.
    _Vendor(
        "stripe_client_secret",
        r"(?:pi|seti)_[A-Za-z0-9]{14,40}_secret_[A-Za-z0-9]{16,40}(?![A-Za-z0-9])",
        (),  # (no hint of its own: Notion's "secret_" is in every one)
    ),
    # Authress service client access keys: a client id, a key id, an account, then the key.
    _Vendor(
        "authress_key",
        r"(?:sc|ext|scauth|authress)_[A-Za-z0-9]{5,30}\.[A-Za-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}"
        r"\.[A-Za-z0-9+/_=-]{30,}",
        (),
        (r"\.[a-z0-9]{4,6}\.acc[_-]",),  # ("acc" is hex: no hint of its own)
    ),
    # Plaid access tokens: the environment, then a UUID.
    _Vendor(
        "plaid_access_token",
        r"access-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}"
        r"-[0-9a-f]{4}-[0-9a-f]{12}(?![A-Za-z0-9])",
        (),
        (r"access-[dps][a-z]{6,10}-",),
    ),
    # Airtable personal access tokens: "pat", 14 characters, a dot, 64 hex digits.
    _Vendor(
        "airtable_token",
        r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}(?![A-Za-z0-9])",
        (),
        (r"pat[a-z0-9]{14}\.",),
    ),
    # Yandex Cloud API keys (AQVN...) and IAM tokens (t1. and two parts; the digit as any).
    _Vendor("yandex_token", rf"AQVN[{_T}]{{35,38}}(?![{_T}])", ("aqvn",)),
    _Vendor(
        "yandex_token",
        rf"t[0-9]\.[{_T}]{{8,}}={{0,2}}\.[{_T}]{{86}}={{0,2}}(?![{_T}])",
        (),
        (r"t[0-9]\.[\w-]{8}",),
    ),
    # 42's (Intra) client secrets: "s-s4t2ud-" or "s-s4t2af-" (digits as any), 64 hex digits.
    _Vendor(
        "intra_client_secret",
        r"s-s[0-9]t[0-9](?:ud|af)-[a-f0-9]{64}(?![A-Za-z0-9])",
        (),
        (r"s-s[0-9]t[0-9](?:ud|af)-",),
    ),
    # Adobe client secrets: "p8e-" (its digit as any) and 32 letters and digits.
    _Vendor(
        "adobe_client_secret",
        r"p[0-9]e-[A-Za-z0-9]{32}(?![A-Za-z0-9])",
        (),
        (r"p[0-9]e-",),
    ),
    _Vendor(
        "settlemint_token",
        r"sm_(?:pat|aat|sat)_[A-Za-z0-9]{16}(?![A-Za-z0-9])",
        ("sm_pat_", "sm_aat_", "sm_sat_"),
    ),
    # Octopus Deploy API keys: "API-" and 26 upper-case letters and digits (both: `_RANDOM_PART`).
    _Vendor("octopus_api_key", r"API-[A-Z0-9]{26}(?![A-Za-z0-9])", ("api-",)),
    _Vendor("rootly_token", r"rootly_[a-f0-9]{64}(?![A-Za-z0-9])", ("rootly_",)),
    _Vendor("ramp_token", r"ramp_sec_[A-Za-z0-9]{48}(?![A-Za-z0-9])", ("ramp_sec_",)),
    _Vendor(
        "saladcloud_api_key",
        r"salad_cloud_[A-Za-z0-9]{1,7}_[A-Za-z0-9]{7,235}(?![A-Za-z0-9])",
        ("salad_cloud_",),
    ),
    # Sourcegraph Cody gateway keys.
    _Vendor("sourcegraph_token", r"slk_[a-f0-9]{64}(?![A-Za-z0-9])", ("slk_",)),
    # Dropbox short-lived access tokens ("sl." and 130 or more characters; newer ones "sl.u.").
    _Vendor(
        "dropbox_token",
        r"sl\.(?:u\.)?[A-Za-z0-9_=-]{130,}",
        (),
        (_EDGE + r"sl\.[\w.=-]{8}",),
    ),
    _Vendor("tavily_api_key", r"tvly-(?:dev-|prod-)?[A-Za-z0-9]{32}(?![A-Za-z0-9])", ("tvly-",)),
    _Vendor("neon_api_key", r"napi_[a-z0-9]{64}(?![A-Za-z0-9])", ("napi_",)),
    # Supabase's secret API keys (the publishable ones, sb_publishable_, are public).
    _Vendor("supabase_token", rf"sb_secret_[{_T}]{{20,}}", ()),  # (hint: Notion's "secret_")
)
# Tokens known by their middle or end: the regex engine tries these at every position, so they
# are a rule of their own, tried only in texts that hold their hints.
_TAIL_TOKENS = (
    _Vendor("mailchimp_api_key", r"[0-9a-f]{32}-us[0-9]{1,2}(?![A-Za-z0-9])", (), (r"-us[0-9]",)),
    _Vendor("newrelic_key", r"(?:[0-9a-f]{32}|eu[0-9]{2}xx[0-9a-f]{26})FFFFNRAL", ("nral",)),
    _Vendor(
        "terraform_token", r"[A-Za-z0-9]{14}\.atlasv[0-9]\.[A-Za-z0-9_=-]{60,70}", (".atlasv",)
    ),
    # A MaxMind license key ends with "_mmk".
    _Vendor("maxmind_license_key", r"[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk(?![A-Za-z0-9])", ("_mmk",)),
    _Vendor(
        "azure_client_secret",
        r"[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])",
        ("q~",),
    ),
    # An Azure Container Registry password: "+ACR" after 42 characters of base64, then 6 more.
    _Vendor(
        "azure_acr_password", r"[A-Za-z0-9+/]{42}\+ACR[A-Za-z0-9]{6}(?![A-Za-z0-9+/])", ("+acr",)
    ),
    # The bot's id, a colon, 35 characters of base64url (its random part: `_RANDOM_PART`).
    _Vendor(
        "telegram_bot_token",
        r"[0-9]{8,10}:[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])",
        (),
        (_EDGE + r"[0-9]{8,10}:[a-z0-9_-]",),
    ),
    # Microsoft Entra ID (Azure AD) refresh tokens: "0." or "1." (as any digit), then base64url
    # parts starting "A", "Ag" and (optionally) "A", long enough that nothing else looks so.
    _Vendor(
        "azure_refresh_token",
        rf"[0-9]\.A[{_T}]{{50,}}(?:\.[0-9])?\.Ag[{_T}]{{250,}}(?:\.A[{_T}]{{200,}})?",
        (),
        (r"\.ag[\w-]{8}",),
    ),
    # "1//0" and a random tail (the digits of the prefix are matched as any digit).
    _Vendor(
        "google_refresh_token",
        r"[0-9]//[0-9][A-Za-z0-9_-]{30,}",
        (),
        (_EDGE + r"[0-9]//[0-9][a-z0-9_-]",),
    ),
)
# Base64 of the bot's id (a decimal number: its first letter M, N or O), a timestamp of 6
# characters, an HMAC: three parts no name or path has, found without a context word (the
# token must be random too: `_RANDOM_PART`). Its shape, a name in three dotted parts, is in
# many a line (Java's packages, type URLs), so it is a rule of its own: where only the shape
# is found, only this pattern is tried.
_DISCORD_TOKENS = (
    _Vendor(
        "discord_token",
        rf"[MNO][{_T}]{{23,27}}\.[{_T}]{{6}}\.[{_T}]{{27,38}}(?![{_T}])",
        (),
        (r"\.[\w-]{6}\.[\w-]{4}",),
    ),
)
# Tokens whose own pattern is loose: only one whose random part (what follows the last of its
# first n separators; n = 0: the whole token) passes the test counts. "sk-" and "sk-proj-" name
# resources too (sk-prod-pool-1), and "r2_" Cloudflare R2 buckets; ids in one case (hex,
# upper-case keys) are no Telegram or refresh tokens; a dotted name in three parts is no Discord
# token; "API-" starts names. Kind -> (separator, n, test).
_RANDOM_PART = {
    "openai_api_key": ("-", 2, _mixed_case_with_digit),
    "replicate_token": ("_", 1, _mixed_case_with_digit),
    "llm_api_key": ("-", 2, _mixed_case_with_digit),
    "telegram_bot_token": (":", 1, _mixed_case_with_digit),
    "google_refresh_token": ("//", 1, _mixed_case_with_digit),
    "discord_token": (".", 0, _mixed_case_with_digit),
    "octopus_api_key": ("-", 1, _opaque_id),
}


def _vendor_rule(vendors: tuple[_Vendor, ...]) -> _Rule:
    """One rule for `vendors`: an alternation of their patterns, whose match is the token."""
    patterns = [(vendor.kind, re.compile(vendor.pattern)) for vendor in vendors]

    def replace(match: re.Match[str]) -> tuple[str, str] | None:
        if _inside_word(match):
            return None
        # The alternation took the first vendor whose pattern matches here. (A named group
        # around each branch would tell which, but hides the branches' first literals from the
        # regex engine, which then tries every branch at every position.)
        start, token = match.start(), match.group()
        kind = next(kind for kind, pattern in patterns if pattern.match(match.string, start))
        loose = _RANDOM_PART.get(kind)
        if loose is not None:
            separator, parts, random = loose
            if not random(token.split(separator, parts)[-1]):
                return None
        return kind, _placeholder(kind)

    return _Rule(
        re.compile("|".join(f"(?:{vendor.pattern})" for vendor in vendors)),
        tuple(hint for vendor in vendors for hint in vendor.hints),
        replace,
        tuple(shape for vendor in vendors for shape in vendor.shapes),
    )


# An AWS secret access key right after its key id, with no name: "AKIA.../<secret>" as tools
# print a credential pair, a CSV row ("AKIA...,<secret>"), prose ("AKIA... <secret>"). Only 40
# characters of base64 that look random (a path or a word after a key id stays).
_AWS_KEY_PAIR = re.compile(
    r"A(?:KI|SI)A[A-Z0-9]{16}\\?[\"']?(?:[ \t]*[/,:;|][ \t]*|[ \t]+)\\?[\"']?"
    r"(?P<secret>[A-Za-z0-9+/]{40})(?![A-Za-z0-9+/=])"
)


def _aws_key_pair(match: re.Match[str]) -> tuple[str, str] | None:
    if _inside_word(match) or not _high_entropy(match.group("secret")):
        return None
    return _swap(match, "secret", "aws_secret_key")


# A PEM private key, base64-encoded again as Kubernetes stores it (a kubeconfig's
# client-key-data, a Secret's tls.key): "-----BEGIN" then "PRIVATE KEY" within the label, in
# whichever of base64's three alignments it falls (its digits matched as any digit). The blob
# runs on over line breaks, as `base64` wraps it at 76 characters, through lines of 16
# characters or more: a short last line encodes only the END label, and a short word after the
# blob stays.
_BASE64_PRIVATE_KEY = re.compile(
    r"LS[0-9]tLS[0-9]CRUdJTi[A-Za-z0-9+/]{0,48}?"
    r"(?:UFJJVkFURSBLRV|BSSVZBVEUgS[0-9]VZ|QUklWQVRFIEtFW)[A-Za-z0-9+/]*"
    r"(?:(?:\r?\n|\\n)[A-Za-z0-9+/]{16,})*={0,2}"
)
# The unseal and recovery key shares `vault operator init` prints: with enough of them, anyone
# can unseal Vault.
_VAULT_KEY = re.compile(r"(?:Unseal|Recovery) Key [0-9]+: (?P<secret>[A-Za-z0-9+/]{16,}={0,2})")


def _vault_key(match: re.Match[str]) -> tuple[str, str] | None:
    return None if _inside_word(match) else _swap(match, "secret", "vault_unseal_key")
