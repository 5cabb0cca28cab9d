"""Fake credentials for the redaction corpus, made at test time from a seeded RNG.

Each maker returns a value with the right prefix, length, alphabet and checksum (where a format
has one) but random content: syntactically valid, never a real credential. They are made when
the tests run, not stored, so that no secret scanner (GitHub's push protection, gitleaks) finds
token-shaped strings in the repository. The formats follow the scanners' rule sets (gitleaks
``config/gitleaks.toml``, detect-secrets ``plugins/``, trufflehog ``pkg/detectors/``).
"""

from __future__ import annotations

import base64
import itertools
import random
import string
import uuid
import zlib
from collections.abc import Callable

ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "_-"
B64 = ALNUM + "+/"
HEX = "0123456789abcdef"
UPPER = string.ascii_uppercase + string.digits

Maker = Callable[[random.Random], str]
# The DER of a PKCS#8 RSA private key up to its modulus: what every such key starts with.
PKCS8_RSA = "308204bd020100300d06092a864886f70d0101010500048204a7308204a30201000282010100"


def pick(rng: random.Random, alphabet: str, size: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(size))


def mixed(rng: random.Random, alphabet: str, size: int) -> str:
    """Random text that holds an upper-case letter, a lower-case letter and a digit."""
    while True:
        value = pick(rng, alphabet, size)
        if value.lower() != value != value.upper() and any(c.isdigit() for c in value):
            return value


def lower_alnum(rng: random.Random, size: int) -> str:
    """Random lower-case letters and digits, holding at least one of each."""
    while True:
        value = pick(rng, string.ascii_lowercase + string.digits, size)
        if not value.isalpha() and not value.isdigit():
            return value


def base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(string.digits[rest] if rest < 10 else ALNUM[rest - 10])
    return "".join(reversed(digits)).rjust(width, "0")


def github_classic(prefix: str) -> Maker:
    # 30 random base62 characters and the CRC32 of them in 6 base62 digits, as GitHub makes them.
    def make(rng: random.Random) -> str:
        body = pick(rng, ALNUM, 30)
        return f"{prefix}_{body}{base62(zlib.crc32(body.encode()), 6)}"

    return make


def luhn_complete(partial: str) -> str:
    """``partial`` followed by the digit that makes it pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(partial)):
        digit = int(char)
        if position % 2 == 0:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return partial + str((10 - total % 10) % 10)


def card(prefix: str, length: int, groups: tuple[int, ...] = (), sep: str = " ") -> Maker:
    def make(rng: random.Random) -> str:
        number = luhn_complete(prefix + pick(rng, string.digits, length - len(prefix) - 1))
        if not groups:
            return number
        parts, start = [], 0
        for size in groups:
            parts.append(number[start : start + size])
            start += size
        return sep.join(parts)

    return make


def b64(data: bytes, url: bool = False) -> str:
    encoded = base64.urlsafe_b64encode(data) if url else base64.b64encode(data)
    return encoded.decode().rstrip("=") if url else encoded.decode()


def jwt(rng: random.Random) -> str:
    header = b64(b'{"alg":"RS256","typ":"JWT","kid":"' + pick(rng, HEX, 8).encode() + b'"}', True)
    sub = pick(rng, string.digits, 6)
    payload = b64(f'{{"sub":"{sub}","iss":"https://auth.test","exp":1795457333}}'.encode(), True)
    return f"{header}.{payload}.{b64(rng.randbytes(64), True)}"


def discord_bot(rng: random.Random) -> str:
    bot_id = str(rng.randrange(10**17, 10**18 * 9))
    return f"{b64(bot_id.encode(), True)}.{pick(rng, URLSAFE, 6)}.{pick(rng, URLSAFE, 27)}"


def teams_path(rng: random.Random) -> str:
    ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(3)]
    return f"{ids[0]}@{ids[1]}/IncomingWebhook/{pick(rng, HEX, 32)}/{ids[2]}"


def pem(kind: str, newline: str) -> Maker:
    def make(rng: random.Random) -> str:
        body = b64(rng.randbytes(180))
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        label = f"{kind} PRIVATE KEY".strip()
        return newline.join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"])

    return make


def fixed(value: str) -> Maker:
    """A value that is obviously fake on sight (``hunter2``): kept as it is."""
    return lambda rng: value


def join(*parts: str | Maker) -> Maker:
    def make(rng: random.Random) -> str:
        return "".join(part if isinstance(part, str) else part(rng) for part in parts)

    return make


def of(alphabet: str, size: int, *, mixed_case: bool = False) -> Maker:
    if mixed_case:
        return lambda rng: mixed(rng, alphabet, size)
    return lambda rng: pick(rng, alphabet, size)


def basic(user: str) -> Maker:
    return lambda rng: b64(f"{user}:{mixed(rng, ALNUM, 14)}".encode())


# Words of the BIP-39 list, from which a wallet's seed phrase is drawn.
BIP39_SAMPLE: tuple[str, ...] = (
    "abandon",
    "ability",
    "able",
    "about",
    "above",
    "absent",
    "absorb",
    "abstract",
    "absurd",
    "abuse",
    "access",
    "accident",
    "acoustic",
    "acquire",
    "across",
    "action",
    "actor",
    "actress",
    "actual",
    "adapt",
    "address",
    "adjust",
    "admit",
    "adult",
)


def password(rng: random.Random) -> str:
    return mixed(rng, ALNUM, 6) + rng.choice("!#%^*_+=.@-") + mixed(rng, ALNUM, 5)


def url_password(rng: random.Random) -> str:
    return mixed(rng, ALNUM, 8) + rng.choice("-._~!*") + mixed(rng, ALNUM, 5)


def one_case_key(rng: random.Random) -> str:
    """A random key in lower case and digits, as many vendors issue them (32 characters)."""
    alphabet = string.ascii_lowercase + string.digits
    while True:
        value = pick(rng, alphabet, 32)
        turns = sum(a.isalpha() and b.isdigit() for a, b in itertools.pairwise(value))
        letters = {c for c in value if c.isalpha()}
        if turns >= 4 and len(letters) >= 8 and not set(value) <= set(HEX):
            return value


def url_password_raw(rng: random.Random) -> str:
    """A password holding a character that ends a URL's authority, written raw (not %-encoded)."""
    return mixed(rng, ALNUM, 8) + rng.choice("/#?") + mixed(rng, ALNUM, 6)


def email(rng: random.Random) -> str:
    first, last = rng.choice(("alice", "bob", "chen", "dana")), rng.choice(("ng", "smith", "ito"))
    domain = rng.choice(("example.com", "mail.example.org", "corp.example.co.uk"))
    return f"{first}.{last}{rng.randrange(100)}@{domain}"


def ipv6(rng: random.Random) -> str:
    groups = [f"{rng.getrandbits(16):x}" for _ in range(4)]
    return "2001:db8:" + ":".join(groups[:2]) + "::" + ":".join(groups[2:])


def sas_signature(rng: random.Random) -> str:
    return b64(rng.randbytes(32)).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


CRYPT = "./" + ALNUM


def sasl_plain(rng: random.Random) -> str:
    """SASL PLAIN's initial response: authzid, user and password, NUL-separated, in base64."""
    return b64(f"\0svc-mailer\0{password(rng)}".encode())


def scram_verifier(rng: random.Random) -> str:
    """A PostgreSQL SCRAM-SHA-256 verifier, as pg_authid stores it."""
    salt, stored, server = b64(rng.randbytes(16)), b64(rng.randbytes(32)), b64(rng.randbytes(32))
    return f"SCRAM-SHA-256$4096:{salt}${stored}:{server}"


def saml_response(rng: random.Random) -> str:
    xml = f'<samlp:Response ID="_{pick(rng, HEX, 40)}"><saml:Assertion/></samlp:Response>'
    return b64(xml.encode()).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


MAKERS: dict[str, Maker] = {
    "aws_akia": join("AKIA", of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)),
    "aws_asia": join("ASIA", of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)),
    "aws_secret": of(B64, 40, mixed_case=True),
    "aws_session": lambda rng: b64(rng.randbytes(180)),
    "gcp_api_key": join("AIza", of(URLSAFE, 35)),
    "gcp_oauth_secret": join("GOCSPX-", of(URLSAFE, 28)),
    "gcp_oauth_token": join("ya29.", of(URLSAFE, 120)),
    "pem_rsa_multiline": pem("RSA", "\n"),
    "pem_pkcs8_escaped": pem("", "\\n"),
    "pem_ec_escaped": pem("EC", "\\n"),
    "pem_openssh_multiline": pem("OPENSSH", "\n"),
    "pem_encrypted_escaped": pem("ENCRYPTED", "\\n"),
    "pem_pgp_multiline": lambda rng: pem("PGP", "\n")(rng).replace("KEY-----", "KEY BLOCK-----"),
    "azure_account_key": lambda rng: b64(rng.randbytes(64)),
    "azure_function_key": lambda rng: b64(rng.randbytes(40)),
    "azure_sas_sig": sas_signature,
    "azure_client_secret": join(of(ALNUM, 3), of(string.digits, 1), "Q~", of(URLSAFE, 34)),
    "github_ghp": github_classic("ghp"),
    "github_gho": github_classic("gho"),
    "github_ghu": github_classic("ghu"),
    "github_ghs": github_classic("ghs"),
    "github_ghr": github_classic("ghr"),
    "github_pat": join("github_pat_11", of(UPPER, 20), "_", of(ALNUM, 59)),
    "gitlab_pat": join("glpat-", of(URLSAFE, 20, mixed_case=True)),
    "gitlab_deploy": join("gldt-", of(URLSAFE, 20, mixed_case=True)),
    "gitlab_runner": join("glrt-", of(URLSAFE, 20, mixed_case=True)),
    "gitlab_trigger": join("glptt-", of(HEX, 40)),
    "slack_bot": join(
        "xoxb-", of(string.digits, 12), "-", of(string.digits, 13), "-", of(ALNUM, 24)
    ),
    "slack_user": join(
        "xoxp-", of(string.digits, 11), "-", of(string.digits, 12), "-", of(HEX, 32)
    ),
    "slack_app": join("xapp-1-A", of(UPPER, 10), "-", of(string.digits, 13), "-", of(HEX, 64)),
    "slack_webhook": join("T", of(UPPER, 8), "/B", of(UPPER, 10), "/", of(ALNUM, 24)),
    "discord_webhook": join(of(string.digits, 18), "/", of(URLSAFE, 68)),
    "discord_bot": discord_bot,
    "teams_webhook": teams_path,
    "telegram_bot": join(of(string.digits, 10), ":AA", of(URLSAFE, 33)),
    "stripe_sk_live": join("sk_live_", of(ALNUM, 24, mixed_case=True)),
    "stripe_sk_test": join("sk_test_", of(ALNUM, 24, mixed_case=True)),
    "stripe_rk_live": join("rk_live_", of(ALNUM, 24, mixed_case=True)),
    "stripe_rk_test": join("rk_test_", of(ALNUM, 24, mixed_case=True)),
    "stripe_webhook": join("whsec_", of(ALNUM, 32, mixed_case=True)),
    "twilio_api_key": join("SK", of(HEX, 32)),
    "twilio_auth_token": of(HEX, 32),
    "sendgrid": join("SG.", of(URLSAFE, 22), ".", of(URLSAFE, 43)),
    "mailgun": join("key-", of(HEX, 32)),
    "mailchimp": join(of(HEX, 32), "-us", of(string.digits, 2)),
    "datadog_api": of(HEX, 32),
    "datadog_app": of(HEX, 40),
    "newrelic_user": join("NRAK-", of(UPPER, 27)),
    "newrelic_insert": join("NRII-", of(URLSAFE, 32)),
    "newrelic_license": join(of(HEX, 32), "FFFFNRAL"),
    "npm": join("npm_", of(ALNUM, 36, mixed_case=True)),
    "pypi": join("pypi-AgEIcHlwaS5vcmc", of(URLSAFE, 120)),
    "openai_project": join(
        "sk-proj-", of(URLSAFE, 74, mixed_case=True), "T3BlbkFJ", of(URLSAFE, 74)
    ),
    "openai_legacy": join("sk-", of(ALNUM, 20), "T3BlbkFJ", of(ALNUM, 20)),
    "openai_compatible": join("sk-", of(ALNUM, 32, mixed_case=True)),
    "anthropic": join("sk-ant-api03-", of(URLSAFE, 93, mixed_case=True), "AA"),
    "huggingface": join("hf_", of(string.ascii_letters, 34)),
    "huggingface_org": join("api_org_", of(string.ascii_letters, 34)),
    "shopify": join("shpat_", of(HEX, 32)),
    "vault": join("hvs.", of(URLSAFE, 90, mixed_case=True)),
    "digitalocean": join("dop_v1_", of(HEX, 64)),
    "databricks": join("dapi", of(HEX, 32)),
    "grafana_sa": join("glsa_", of(ALNUM, 32), "_", of(HEX, 8)),
    "grafana_cloud": join("glc_", lambda rng: b64(rng.randbytes(60))),
    "docker_pat": join("dckr_pat_", of(URLSAFE, 27, mixed_case=True)),
    "pulumi": join("pul-", of(HEX, 40)),
    "sentry_org": join(
        "sntrys_",
        lambda rng: b64(b'{"iat":1795457333.1,"url":"https://sentry.io"}', True),
        "_",
        of(ALNUM, 43),
    ),
    "sentry_user": join("sntryu_", of(HEX, 64)),
    "linear": join("lin_api_", of(ALNUM, 40, mixed_case=True)),
    "postman": join("PMAK-", of(HEX, 24), "-", of(HEX, 34)),
    "heroku": join("HRKU-AA", of(URLSAFE, 58, mixed_case=True)),
    "docker_oat": join("dckr_oat_", of(URLSAFE, 32, mixed_case=True)),
    "doppler_service": join("dp.st.prd.", of(ALNUM, 40, mixed_case=True)),
    "doppler_service_account": join("dp.sa.", of(ALNUM, 43, mixed_case=True)),
    "doppler_cli": join("dp.ct.", of(ALNUM, 43, mixed_case=True)),
    "doppler_personal": join("dp.pt.", of(ALNUM, 43, mixed_case=True)),
    "doppler_scim": join("dp.scim.", of(ALNUM, 43, mixed_case=True)),
    "doppler_audit": join("dp.audit.", of(ALNUM, 43, mixed_case=True)),
    "shippo": join("shippo_live_", of(HEX, 40)),
    "shippo_test": join("shippo_test_", of(HEX, 40)),
    "atlassian": join("ATATT3xFfGF0", of(URLSAFE, 170, mixed_case=True), "=", of(UPPER, 8)),
    "square_access": join("sq0atp-", of(URLSAFE, 22, mixed_case=True)),
    "square_secret": join("sq0csp-", of(URLSAFE, 43, mixed_case=True)),
    "facebook_explorer": join("EAACEdEose0cBA", of(ALNUM, 120, mixed_case=True)),
    "age": join("AGE-SECRET-KEY-1", of("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)),
    "okta": join("00", of(URLSAFE, 40, mixed_case=True)),
    "tailscale": join("tskey-auth-k", of(ALNUM, 16, mixed_case=True), "CNTRL-", of(ALNUM, 33)),
    "supabase": join("sbp_", of(HEX, 40)),
    "planetscale": join("pscale_tkn_", of(URLSAFE, 43, mixed_case=True)),
    "planetscale_password": join("pscale_pw_", of(URLSAFE, 43, mixed_case=True)),
    "planetscale_oauth": join("pscale_oauth_", of(URLSAFE, 43, mixed_case=True)),
    "onepassword": join("ops_eyJ", lambda rng: b64(rng.randbytes(150), True)),
    "dynatrace": join("dt0c01.", of(UPPER, 24), ".", of(UPPER, 64)),
    "mapbox": join("sk.eyJ", of(URLSAFE, 60, mixed_case=True), ".", of(URLSAFE, 22)),
    "fly": join("FlyV1 fm2_", lambda rng: b64(rng.randbytes(90))),
    "netlify": join("nfp_", of(ALNUM, 36, mixed_case=True)),
    "rubygems": join("rubygems_", of(HEX, 48)),
    "contentful": join("CFPAT-", of(URLSAFE, 43, mixed_case=True)),
    "prefect": join("pnu_", of(ALNUM, 36, mixed_case=True)),
    "buildkite": join("bkua_", of(HEX, 40)),
    "circleci": join("CCIPAT_", of(ALNUM, 22, mixed_case=True), "_", of(HEX, 40)),
    "render": join("rnd_", of(ALNUM, 32, mixed_case=True)),
    "terraform": join(of(string.ascii_lowercase + string.digits, 14), ".atlasv1.", of(URLSAFE, 67)),
    "alibaba": join("LTAI5t", of(ALNUM, 18, mixed_case=True)),
    "tencent": join("AKID", of(ALNUM, 32, mixed_case=True)),
    "google_refresh": join("1//0", of(URLSAFE, 100, mixed_case=True)),
    "elastic_api_key": lambda rng: b64(
        f"{mixed(rng, URLSAFE, 20)}:{mixed(rng, URLSAFE, 22)}".encode()
    ),
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "spnego": join("YII", lambda rng: b64(rng.randbytes(240))),
    "ntlm_auth": join("TlRMTVNTUAADAAAA", lambda rng: b64(rng.randbytes(96))),
    "md5_hex": of(HEX, 32),
    "jwt": jwt,
    "opaque": of(ALNUM, 32, mixed_case=True),
    "basic_admin": basic("admin"),
    "basic_svc": basic("svc-backup"),
    "password": password,
    "hex16": of(HEX, 16),
    "hex64": of(HEX, 64),
    "url_password": url_password,
    "one_case_key": one_case_key,
    "url_password_raw": url_password_raw,
    "email": email,
    "ipv4": lambda rng: ".".join(str(rng.randrange(1, 255)) for _ in range(4)),
    "ipv6": ipv6,
    "twilio_sid": join("AC", of(HEX, 32)),
    "random24": of(ALNUM, 24, mixed_case=True),
    "word": of(string.ascii_lowercase, 12),
    "sdk_uuid": lambda rng: f"sdk-{uuid.UUID(int=rng.getrandbits(128), version=4)}",
    "hex_groups": join(of(HEX, 32), "-", of(HEX, 8), "-", of(HEX, 8)),
    "random44": lambda rng: b64(rng.randbytes(32)),
    "visa16": card("4", 16),
    "visa16_spaced": card("4", 16, (4, 4, 4, 4)),
    "visa13": card("4", 13),
    "mastercard_2series_dashed": card("2221", 16, (4, 4, 4, 4), "-"),
    "mastercard": card("53", 16),
    "amex_spaced": card("37", 15, (4, 6, 5)),
    "discover_dashed": card("6011", 16, (4, 4, 4, 4), "-"),
    "jcb": card("3530", 16),
    "diners": card("36", 14),
    "unionpay19": card("62", 19),
    "maestro": card("6759", 18),
    "bcrypt": join("$2b$12$", of(CRYPT, 53)),
    "sha512_crypt": join("$6$", of(CRYPT, 16), "$", of(CRYPT, 86)),
    "apr1": join("$apr1$", of(CRYPT, 8), "$", of(CRYPT, 22)),
    "yescrypt": join("$y$j9T$", of(CRYPT, 22), "$", of(CRYPT, 43)),
    "argon2id": lambda rng: (
        f"$argon2id$v=19$m=65536,t=3,p=4${b64(rng.randbytes(16)).rstrip('=')}"
        f"${b64(rng.randbytes(32)).rstrip('=')}"
    ),
    "django_pbkdf2": lambda rng: (
        f"pbkdf2_sha256$870000${pick(rng, ALNUM, 22)}${b64(rng.randbytes(32))}"
    ),
    "scram_verifier": scram_verifier,
    "ldap_ssha": lambda rng: "{SSHA}" + b64(rng.randbytes(24)),
    "sasl_plain": sasl_plain,
    "oauth_code": join("4/0A", of(URLSAFE, 60, mixed_case=True)),
    "github_oauth_code": of(HEX, 20),
    "saml_response": saml_response,
    "hex32": of(HEX, 32),
    "base64_pem_rsa": lambda rng: b64(pem("RSA", "\n")(rng).encode() + b"\n"),
    "base64_pem_pkcs8": lambda rng: b64(pem("", "\n")(rng).encode() + b"\n"),
    "vault_share": lambda rng: b64(rng.randbytes(33)),
    "openshift": join("sha256~", of(URLSAFE, 43, mixed_case=True)),
    "gitlab_runner_registration": join("GR1348941", of(URLSAFE, 20, mixed_case=True)),
    "grafana_legacy_key": lambda rng: b64(
        f'{{"k":"{mixed(rng, ALNUM, 32)}","n":"ci-deploy","id":1}}'.encode()
    ).rstrip("="),
    "square_pat": join("EAAA", of(URLSAFE, 60, mixed_case=True)),
    "facebook_page": join("EAAG", of(ALNUM, 180, mixed_case=True)),
    "bedrock": join("ABSK", lambda rng: b64(rng.randbytes(99))),
    "fly_macaroon": join("fm2_", lambda rng: b64(rng.randbytes(120))),
    "artifactory": join("AKCp", of(ALNUM, 69, mixed_case=True)),
    "cloudflare_origin_ca": join("v1.0-", of(HEX, 24), "-", of(HEX, 146)),
    "firebase_server_key": join(
        "AAAA", of(URLSAFE, 7, mixed_case=True), ":APA91b", of(URLSAFE, 134, mixed_case=True)
    ),
    "notion": join("ntn_", of(string.digits, 11), of(ALNUM, 35, mixed_case=True)),
    "perplexity": join("pplx-", of(ALNUM, 48, mixed_case=True)),
    "sourcegraph": join("sgp_", of(HEX, 16), "_", of(HEX, 40)),
    "onepassword_secret_key": lambda rng: "-".join(
        ["A3", pick(rng, UPPER, 6), pick(rng, UPPER, 11), *(pick(rng, UPPER, 5) for _ in range(3))]
    ),
    "terraform_mixed": join(of(ALNUM, 14, mixed_case=True), ".atlasv1.", of(URLSAFE, 67)),
    "gitlab_routable": join(
        "glpat-", of(URLSAFE, 27, mixed_case=True), ".01", of(string.ascii_lowercase, 7)
    ),
    "atlassian_admin": join("ATCTT3xFfG", of(URLSAFE, 150, mixed_case=True), "=", of(UPPER, 8)),
    "bitbucket_app": join("ATBB", of(ALNUM, 32, mixed_case=True)),
    "bitbucket_dc": join("BBDC-", of(ALNUM, 44, mixed_case=True)),
    "vault_recovery": join("hvr.", of(URLSAFE, 40, mixed_case=True)),
    "openrouter": join("sk-or-v1-", of(HEX, 64)),
    "langfuse": lambda rng: f"sk-lf-{uuid.UUID(int=rng.getrandbits(128), version=4)}",
    "deepseek": join("sk-", of(HEX, 32)),
    "groq": join("gsk_", of(ALNUM, 52, mixed_case=True)),
    "xai": join("xai-", of(ALNUM, 80, mixed_case=True)),
    "replicate": join("r8_", of(ALNUM, 37, mixed_case=True)),
    "pinecone": join("pcsk_", of(ALNUM, 6), "_", of(ALNUM, 63, mixed_case=True)),
    "langsmith": join("lsv2_pt_", of(HEX, 32), "_", of(HEX, 10)),
    "nvidia": join("nvapi-", of(URLSAFE, 64, mixed_case=True)),
    "figma": join("figd_", of(URLSAFE, 40, mixed_case=True)),
    "posthog": join("phx_", of(ALNUM, 45, mixed_case=True)),
    "sonarqube": join("squ_", of(HEX, 40)),
    "sonarcloud": join("sqco_", of(ALNUM, 59, mixed_case=True)),
    "cloudflare_global": join("cfk_", of(ALNUM, 40, mixed_case=True), of(HEX, 8)),
    "notion_legacy": join("secret_", of(ALNUM, 43, mixed_case=True)),
    "acr_password": join(of(ALNUM, 42, mixed_case=True), "+ACR", of(ALNUM, 6)),
    "basic_unpadded": lambda rng: b64(f"svc:{mixed(rng, ALNUM, 12)}".encode()).rstrip("="),
    "basic_no_colon": lambda rng: b64(mixed(rng, ALNUM, 24).encode()),
    "basic_short": lambda rng: b64(f"ci:{mixed(rng, ALNUM, 8)}".encode()),
    "hex40": of(HEX, 40),
    "facebook_app_token": join(of(string.digits, 15), "|", of(URLSAFE, 27, mixed_case=True)),
    "twitter_bearer": join("A" * 22, of(ALNUM, 60, mixed_case=True), "%3D", of(ALNUM, 30)),
    "adyen_key": join("AQE", of(ALNUM, 60, mixed_case=True), "=-", of(URLSAFE, 20)),
    "zoho_oauth": join("1000.", of(HEX, 32), ".", of(HEX, 32)),
    "key_and_secret": join(of(ALNUM, 20, mixed_case=True), ":", of(ALNUM, 22, mixed_case=True)),
    "sigv2_signature": lambda rng: b64(rng.randbytes(20)),
    # Kubernetes Secret data: base64 of what a Secret holds under a name that says nothing.
    "k8s_b64_dsn": lambda rng: b64(f"postgres://app:{mixed(rng, ALNUM, 16)}@db:5432/app".encode()),
    "k8s_b64_dockerconfig": lambda rng: b64(
        (
            '{"auths":{"registry.shop.io":{"auth":"'
            + b64(f"ci:{mixed(rng, ALNUM, 20)}".encode())
            + '"}}}'
        ).encode()
    ),
    "k8s_b64_password": lambda rng: b64(mixed(rng, ALNUM, 18).encode()),
    # JSON Web Keys' private members: base64url of an EC scalar, an RSA exponent's size.
    "jwk_ec_d": lambda rng: b64(rng.randbytes(32), True),
    "jwk_rsa_d": lambda rng: b64(rng.randbytes(256), True),
    "jwk_oct_k": lambda rng: b64(rng.randbytes(32), True),
    # Webhook paths, session cookies, CAS tickets.
    "mattermost_hook": lambda rng: lower_alnum(rng, 26),
    "zapier_hook": lambda rng: lower_alnum(rng, 7),
    "gitlab_session": lambda rng: lower_alnum(rng, 32),
    # Session ids: PHP's (26 lower-case letters and digits), url-safe base64 holding "-" and "_".
    "phpsessid": lambda rng: lower_alnum(rng, 26),
    "session_urlsafe": join(
        of(ALNUM, 11, mixed_case=True), "-", of(ALNUM, 10, mixed_case=True), "_", of(ALNUM, 11)
    ),
    "cas_ticket": join("ST-", of(string.digits, 6), "-", of(ALNUM, 20, mixed_case=True), "-cas01"),
    # Keys of vendors no rule knows: words, then a random part (hex, a UUID, mixed case).
    "unknown_vendor_hex": join("sk_", of(HEX, 48)),
    "unknown_vendor_uuid": lambda rng: f"pat-eu1-{uuid.UUID(int=rng.getrandbits(128), version=4)}",
    "unknown_vendor_mixed": join("sm_pat_", of(ALNUM, 20, mixed_case=True)),
    "unknown_vendor_dotted": join("1000.", of(HEX, 32), ".", of(HEX, 32)),
    # Shapes the key-value rules used to cut short: brackets and commas inside, braces around.
    "bracket_password": lambda rng: (
        mixed(rng, ALNUM, 5) + rng.choice("(),{}") + mixed(rng, ALNUM, 6)
    ),
    "braced_password": lambda rng: "{" + mixed(rng, ALNUM, 12) + "}",
    # A password a person chose, stated in prose: a word, a digit, a dash, letters and digits.
    "prose_password": lambda rng: (
        pick(rng, string.ascii_lowercase, 6) + rng.choice(string.digits) + "-" + lower_alnum(rng, 5)
    ),
    "aws_session_fwo": join("FwoGZXIvYXdzE", lambda rng: b64(rng.randbytes(240))),
    "aws_session_iqo": join("IQoJb3JpZ2luX2VjE", lambda rng: b64(rng.randbytes(300))),
    # A private key's first body line, without its PEM header (DER's first bytes, then random).
    "der_pkcs8_line": lambda rng: b64(bytes.fromhex(PKCS8_RSA) + rng.randbytes(60))[:64],
    "der_sec1_line": lambda rng: b64(bytes.fromhex("30770201010420") + rng.randbytes(60))[:64],
    "openssh_key_line": lambda rng: b64(b"openssh-key-v1\0\0\0\0" + rng.randbytes(60))[:70],
    "putty_private": lambda rng: b64(rng.randbytes(48)) + "\n" + b64(rng.randbytes(21)),
    "hunter2": fixed("hunter2"),
    "fixed_at": fixed("p@ss:w0rd"),
    "s3cr3t": fixed("s3cr3t!"),
    "phrase": fixed("correct horse battery staple"),
    # Vendor tokens found with no secret word before them (by prefix, structure or context).
    "stripe_pi_client_secret": join(
        "pi_", of(ALNUM, 24, mixed_case=True), "_secret_", of(ALNUM, 25, mixed_case=True)
    ),
    "stripe_seti_client_secret": join(
        "seti_", of(ALNUM, 24, mixed_case=True), "_secret_", of(ALNUM, 25, mixed_case=True)
    ),
    "authress": join(
        "sc_",
        of(string.ascii_lowercase + string.digits, 12),
        ".",
        of(string.ascii_lowercase + string.digits, 5),
        ".acc_",
        of(string.ascii_lowercase + string.digits, 20),
        ".",
        of(URLSAFE, 60, mixed_case=True),
    ),
    "entra_refresh": join(
        "0.A",
        of(URLSAFE, 70, mixed_case=True),
        ".AgABAAEAAAD",
        of(URLSAFE, 280),
        ".AQ",
        of(URLSAFE, 220),
    ),
    "plaid_access": lambda rng: f"access-production-{uuid.UUID(int=rng.getrandbits(128))}",
    "plaid_sandbox": lambda rng: f"access-sandbox-{uuid.UUID(int=rng.getrandbits(128))}",
    "sentry_key": of(HEX, 32),
    "facebook_app_secret_token": join(of(string.digits, 16), "|", of(HEX, 32)),
    "jwt_base64": lambda rng: b64(jwt(rng).encode()),
    "jwt_base64_percent": lambda rng: (
        b64(jwt(rng).encode()).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    ),
    "pagerduty_routing": lambda rng: lower_alnum(rng, 32),
    "airtable_pat": join("pat", of(ALNUM, 14, mixed_case=True), ".", of(HEX, 64)),
    "yandex_api_key": join("AQVN", of(URLSAFE, 36, mixed_case=True)),
    "yandex_iam": join("t1.", of(URLSAFE, 40, mixed_case=True), ".", of(URLSAFE, 86)),
    "tavily": join("tvly-", of(ALNUM, 32, mixed_case=True)),
    "octopus": join("API-", of(UPPER, 26)),
    "sourcegraph_cody": join("slk_", of(HEX, 64)),
    "dropbox_short": join("sl.", of(URLSAFE, 138, mixed_case=True)),
    "supabase_secret": join("sb_secret_", of(URLSAFE, 31, mixed_case=True)),
    "azure_devops_pat": of(string.ascii_lowercase + "234567", 52),
    "vault_share_hex": of(HEX, 66),
    "vault_legacy": join("s.", of(ALNUM, 24, mixed_case=True)),
    "gitlab_pat_plain": of(ALNUM, 26, mixed_case=True),
    "cvv": of(string.digits, 3),
    "mnemonic": lambda rng: " ".join(rng.choice(BIP39_SAMPLE) for _ in range(12)),
    # 32 random bytes in base64 with padding (Consul's gossip encryption key).
    "b64_32": lambda rng: base64.b64encode(rng.randbytes(32)).decode(),
    "mnemonic24": lambda rng: " ".join(rng.choice(BIP39_SAMPLE) for _ in range(24)),
    # Express' signed session cookie, as connect.sid holds it: "s:" (encoded), the id, a signature.
    "express_sid": join("s%3A", of(URLSAFE, 32, mixed_case=True), ".", of(ALNUM, 43)),
    "paseto_local": join("v4.local.", of(URLSAFE, 140, mixed_case=True)),
    "paseto_public": join("v2.public.", of(URLSAFE, 120, mixed_case=True), ".", of(URLSAFE, 30)),
    # An Erlang node's cookie as RabbitMQ generates it: 20 capital letters.
    "erlang_cookie": of(string.ascii_uppercase, 20),
    # An address with its "@" percent-encoded (a query's ?email=) or escaped as JSON's \u0040.
    "email_percent": lambda rng: email(rng).replace("@", "%40"),
    "email_unicode": lambda rng: email(rng).replace("@", "\\u0040"),
}


def make(name: str, seed: int) -> str:
    """The fake value of maker `name`, the same for the same seed."""
    return MAKERS[name](random.Random(f"{name}:{seed}"))
