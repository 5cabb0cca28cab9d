"""Tokens of source hosting, CI/CD, package registries and developer tools, by their prefixes.

GitHub, GitLab, Bitbucket and Atlassian, npm, PyPI, RubyGems, Clojars, Docker Hub, CircleCI,
Buildkite, Harness, SonarQube, Sourcegraph, Postman, Linear, Figma...: one table of `_Vendor`s,
part of the rule of tokens known by how they start (``vendors``).
"""

from __future__ import annotations

from log_analyzer.logs.redact.rule import _EDGE
from log_analyzer.logs.redact.vendor_rule import _T, _Vendor

_GITLAB = ("pat", "dt", "rt", "ft", "soat", "ptt", "imt", "agent", "ffct", "oas", "cbt")
_CODE_TOKENS = (
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
    _Vendor("npm_token", r"npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])", ("npm_",)),
    _Vendor(
        "pypi_token",
        rf"pypi-AgE(?:IcHlwaS[0-9]vcmc|NdGVzdC[0-9]weXBpLm[0-9]yZw)[{_T}]{{50,}}",
        ("pypi-age",),
    ),
    _Vendor("docker_token", rf"dckr_(?:pat|oat)_[{_T}]{{27,}}", ("dckr_pat_", "dckr_oat_")),
    _Vendor("pulumi_token", r"pul-[a-f0-9]{40}(?![A-Za-z0-9])", ("pul-",)),
    _Vendor("linear_api_key", r"lin_api_[A-Za-z0-9]{40}(?![A-Za-z0-9])", ("lin_api_",)),
    _Vendor("postman_api_key", r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}(?![A-Za-z0-9])", ("pmak-",)),
    _Vendor("heroku_api_key", rf"HRKU-[{_T}]{{20,}}", ("hrku-",)),
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
    _Vendor("netlify_token", r"nfp_[A-Za-z0-9]{36}(?![A-Za-z0-9])", ("nfp_",)),
    _Vendor("rubygems_token", r"rubygems_[a-f0-9]{48}(?![A-Za-z0-9])", ("rubygems_",)),
    _Vendor("contentful_token", rf"CFPAT-[{_T}]{{43}}(?![{_T}])", ("cfpat-",)),
    _Vendor("prefect_token", r"pnu_[A-Za-z0-9]{36}(?![A-Za-z0-9])", ("pnu_",)),
    _Vendor("buildkite_token", r"bkua_[a-f0-9]{40}(?![A-Za-z0-9])", ("bkua_",)),
    _Vendor("circleci_token", r"CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}(?![A-Za-z0-9])", ("ccipat_",)),
    _Vendor("render_token", r"rnd_[A-Za-z0-9]{32}(?![A-Za-z0-9])", ("rnd_",)),
    _Vendor("clojars_token", r"CLOJARS_[A-Za-z0-9]{60}(?![A-Za-z0-9])", ("clojars_",)),
    _Vendor("frameio_token", rf"fio-u-[={_T}]{{64}}", ("fio-u-",)),
    _Vendor(
        "harness_token",
        r"(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}(?![A-Za-z0-9])",
        ("pat.", "sat."),
    ),
    _Vendor("infracost_token", r"ico-[A-Za-z0-9]{32}(?![A-Za-z0-9])", ("ico-",)),
    _Vendor("readme_api_key", r"rdme_[a-z0-9]{70}(?![A-Za-z0-9])", ("rdme_",)),
    _Vendor(
        "sourcegraph_token",
        r"sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}(?![A-Za-z0-9])",
        ("sgp_",),
    ),
    _Vendor("typeform_token", r"tfp_[A-Za-z0-9_.=-]{59}", ("tfp_",)),
    _Vendor("figma_token", rf"figd_[{_T}]{{40}}(?![{_T}])", ("figd_",)),
    _Vendor(
        "sonar_token",
        r"sq[upa]_[a-f0-9]{40}(?![A-Za-z0-9])|sqco_[A-Za-z0-9]{59}(?![A-Za-z0-9])",
        (),
        (r"sq(?:[upa]|co)_",),
    ),
    # Airtable personal access tokens: "pat", 14 characters, a dot, 64 hex digits.
    _Vendor(
        "airtable_token",
        r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}(?![A-Za-z0-9])",
        (),
        (),
        (r"pat[a-z0-9]{14}\.",),  # ("pat" is a hint of secret-named keys)
    ),
    _Vendor(
        "settlemint_token",
        r"sm_(?:pat|aat|sat)_[A-Za-z0-9]{16}(?![A-Za-z0-9])",
        ("sm_pat_", "sm_aat_", "sm_sat_"),
    ),
    # Octopus Deploy API keys: "API-" and 26 upper-case letters and digits (both: `_RANDOM_PART`).
    _Vendor("octopus_api_key", r"API-[A-Z0-9]{26}(?![A-Za-z0-9])", ("api-",)),
    # Sourcegraph Cody gateway keys.
    _Vendor("sourcegraph_token", r"slk_[a-f0-9]{64}(?![A-Za-z0-9])", ("slk_",)),
)
