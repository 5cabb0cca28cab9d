r"""Redact secrets and personal data from log text before it leaves the service (for an LLM).

Every secret becomes a typed placeholder ``[REDACTED:<kind>]``. Key-value pairs keep their key and
their quoting, so a redacted JSON line still parses. Rules run from the most specific to the most
generic: a JWT sent as ``Authorization: Bearer <jwt>`` is counted once, as a ``jwt``, and no rule
matches a placeholder, so redacting redacted text changes nothing.

What is found: PEM private keys; vendor tokens by their prefixes and alphabets, as the secret
scanners (gitleaks, detect-secrets, trufflehog) describe them; webhook URLs; passwords in URLs and
in ``user:password@host:port`` without a scheme; bearer and Basic credentials and those of other
``Authorization`` schemes (``ApiKey``, ``Splunk``, ``Negotiate``..., or any scheme or none: the
header's whole value), Digest responses; an AWS secret key after its key id; URL and header
signatures (Azure SAS ``sig=``, SigV4 ``Signature=``); values of secret-named keys (``password=``,
``"api_key":``, ``client_secret:``) and high-entropy values of generic ones (``webhook_key=``), any
opaque value of a signing, master or encryption key; values whose name says they are secrets
(``{"name": "DB_PASSWORD", "value": ...}``), in XML elements too (``<password>``), and in
percent-encoded queries (``token%3D...``, ``pass%77ord=``), in JSON escaped twice or quoted with
``\u0022``, PHP's ``var_dump`` (``string(8) "..."``), typographic quotes, under "password" in
other languages (``пароль``, ``密码``, ``Kennwort``...); a random token as a URL's user; command
lines' password flags, tools' positional passwords (``zip -P``, ``7z -p``, ``mc alias set``,
``smbclient -U user%pw``, SNMP's passphrases...) and passwords echoed into a command; ``.pgpass``
lines; passwords passed to login calls as literals (``server.login(user, "pw")``) and to
connect calls by position (``getConnection(url, user, "pw")``), secret-named settings set by
a call (``define('DB_PASSWORD', ...)``); seed phrases;
Erlang cookies; random ``session=`` and ``sid=`` values; every value under a Kubernetes
Secret's ``data`` and ``stringData``; a JSON Web Key's private members; random webhook path segments
(``/hooks/...``), hex and ``*_session=`` session cookies, CAS tickets; passwords in SQL statements
(``PASSWORD '...'``, ``IDENTIFIED BY``) and in Redis (``ACL SETUSER ... >pw``), SMTP and FTP
commands; password hashes (crypt, bcrypt, Argon2, PBKDF2, SCRAM, LDAP's ``{SSHA}``); OAuth
authorization codes in redirect URLs; cookies; payment card numbers (Luhn-checked, known issuer
prefixes). And what key names miss: a secret's new value in a plan's change (Terraform's ``"old" ->
"new"``), a password stated in prose, a value on the lines after its key (YAML's ``password: |``),
a private key's first body line without its header and PuTTY's private lines, lists of logins
(``users=alice:pw;bob:pw``), base64 of text under a connection key, AWS session tokens alone.
E-mail and IP addresses are redacted when asked for (``pii``; :data:`DEFAULT_PII` holds e-mail
only).

Every pattern is linear (no nested quantifiers over overlapping classes), and a rule is skipped
outright when the case-folded text lacks all of its hints (literals, or RE2 shapes for digit
runs), which keeps large batches cheap: one RE2 pass tells a clean text, one more which rules
the others need.

Callers cache verdicts by text shapes, which this package keeps true:

* No hint holds a digit, and whether a rule matches and keeps its match depends on where digits
  are, never on their values (patterns use digits only inside classes holding all ten; entropy
  counts every digit as one symbol), except for HTTP Basic credentials, which are decoded, and
  card numbers (issuer prefix, Luhn): :func:`same_for_all_digits` says when one outcome holds
  for every text that differs only in its digits.
* No hint can match inside, or across the edge of, a hexadecimal id (a word of 8 or more hex
  characters, as ``id_skeleton.coarsen`` draws ids alike): literal hints hold a non-hex letter in
  every word they touch, the digit shapes (cards, IPv4) and IPv6 groups stop at word edges, and
  the shapes that run over a user name (``://user:``, ``user:pw@host``) take every hex character.

Where each part lives:

* ``engine``: :func:`redact`, :func:`may_contain_secret`, :func:`same_for_all_digits`, and the
  plans of hints they run (`_plan`); ``rules``: every rule, in the order they run.
* ``rule``: what a rule is, its placeholder and what replacers share; ``values``: tests of a
  value alone (does it look random, or say "no secret"?).
* One module per family of secrets: ``vendors`` (vendor tokens known by their middle or end,
  an AWS secret key after its id, base64-encoded PEM keys, Vault's key shares) and the tables
  of tokens known by how they start, by kind of vendor (``vendor_code``, ``vendor_cloud``,
  ``vendor_ai``, ``vendor_commerce``; ``vendor_rule``: the rule made of a table),
  ``vendor_structures`` (vendor credentials known by structure or context: base64-encoded
  JWTs, DSN keys, Facebook app tokens, PagerDuty routing keys), ``kubernetes`` (Secrets'
  data, base64 under connection keys, JSON Web Keys), ``urls`` (URLs, webhooks, OAuth codes),
  ``auth_headers`` (Authorization headers, signatures, Digest), ``key_names`` (what a key's
  name says), ``key_value_syntax`` (how a pair is written and read), ``key_values`` (pairs
  under secret-named keys), ``generic_key_values`` (pairs under generic keys),
  ``named_values`` (a secret's name and value), ``prose`` (a secret named or a
  password stated in prose), ``blocks`` (values on the lines after their key),
  ``key_bodies`` (private keys' bodies without their header), ``logins`` (lists of
  ``user:password``), ``calls`` (passwords passed to calls as literals), ``command_lines``
  (password flags), ``tool_passwords`` (passwords
  tools take in a place of their own, echoed into a command, ``.pgpass`` lines),
  ``seed_phrases`` (a wallet's seed words), ``cookies`` (cookies, session cookies and ids, CAS
  tickets), ``statements`` (SQL, protocol commands, XML elements, password
  hashes), ``percent_encoded`` (pairs in encoded URLs and forms), ``personal`` (card numbers,
  e-mail and IP addresses).
"""

from __future__ import annotations

from log_analyzer.logs.redact.engine import (
    DEFAULT_PII,
    PII_KINDS,
    Redaction,
    may_contain_secret,
    redact,
    same_for_all_digits,
)

__all__ = [
    "DEFAULT_PII",
    "PII_KINDS",
    "Redaction",
    "may_contain_secret",
    "redact",
    "same_for_all_digits",
]
