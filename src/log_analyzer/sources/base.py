"""The seam between the pipeline and a log store.

The pipeline asks in its own terms: a time window, a selection of streams (filters such as a
namespace or a log group), a line filter, a limit and an order. A store answers with entries
(time, source labels, raw line), with counts (totals by level and source, counts per bucket and
level) and, with each answer, its own text of the query it ran, for the summary and the spans.

Entries come back undecoded (:class:`RawEntries`): decoding a large answer is CPU work, done in
a worker process with the rest of the processing, never on the event loop. Each store package
(``sources/<name>/``) holds its query language, its client, its response shapes and its errors,
and registers a :class:`SourceSpec` in :mod:`log_analyzer.sources.registry`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from log_analyzer.logs.entries import DecodedEntries, Row

if TYPE_CHECKING:  # for annotations only: worker processes import this module, keep it light
    import httpx

    from log_analyzer.core.config import Settings
    from log_analyzer.logs.totals import Histogram, Totals

SEVERE_PATTERN = (
    r"(?i)(error|eror|warn|fail|exception|panic|fatal|crit|emerg|alert\])"
    r"|(?-i:[Uu]ncaught|[Uu]nhandled|[Ss]egmentation fault|core dumped"
    r"|\bSIG(?:SEGV|ABRT|BUS|ILL|KILL)\b|\b[Kk]illed\b|(?:OOM|oom).?[Kk]ill|[Oo]ut of memory"
    r"|terminate called|[Ee]xit(?:ed)?(?: with)?[ _]?(?:[Ss]tatus|[Cc]ode)\W{0,3}[1-9]"
    r"|BackOff|ErrImagePull|[Tt]imed out|deadline exceeded|i/o timeout"
    r"|[Cc]onnection (?:refused|reset)|[Nn]o space left|[Tt]oo many open files"
    r"|[Pp]ermission denied|[Rr]ead-only file system|[Cc]annot allocate memory"
    r"|[Nn]o route to host|[Nn]etwork is unreachable|x509: )"
    r'|"level\\{0,3}" ?: ?[4-9]\d[,} ]|"s\\{0,3}" ?: ?\\{0,3}"[EFW]\\{0,3}"'
    r"|[\dCZ\]] \[[EWFC]\] "
    r'|(?:^|"log\\{0,3}" ?: ?\\{0,3}")'
    r"(?:\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d) std(?:out|err) [FP] )?"
    r"(?:[EWF]\d{4} "
    r"|\d+:[XCSM] (?:\d\d \w{3} (?:\d{4} )?)?[\d:.T+-]+ # |\d+:signal-handler \(\d+\) "
    r"|\[\d+\] \d\d \w{3} [\d:.]+ # "
    r"|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d) [EWF] "
    r"|(?:<|\\{1,3}u003c)(?:[0-489]|[159][0-26-9]|[26][04-8]|[37][2-6]|[48][0-489]"
    r"|1(?:[048][04-8]|[15][2-6]|[26][0-489]|[37][0-26-9]))(?:>|\\{1,3}u003e)"
    r"|\[[EWC] \d"
    r"|(?:ERRO|FATA|PANI)\[\d+\] "
    r"|\d[\d/:.TZ+ -]{3,34}(?:[AP]M)? (?:ERRO|FATA|PANI|ERR|WRN|FTL|PNC) "
    r'|(?-i:(?:[a-z_][a-z0-9_]*\.)+[A-Z]\w*(?:: |:?(?:$|\\+n|\\*"))'
    r'|[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:[A-Z][a-z]+(?:$|\\+n|\\*")|(?:Exit|Interrupt|Iteration): )))'
    r"|(?-i:(?:^|\W)(?:FEHLER|WARNUNG|SCHWER(?:WIEGEND)?|PANIKA?|ERREUR|ATTEN(?:TION|ZIONE)"
    r"|AVERTISSEMENT|GRAVE|FATAL[ET]|ERRO|AVISO|ADVERT[EÊ]NCIA|P[AÂ]NICO|AVVERTENZA|FEL|VARNING"
    r"|ALLVARLIG|BŁĄD|OSTRZEŻENIE|KATASTROFALNY|HATA|UYARI|CHYBA|VAROVÁNÍ|FATÁLNÍ|ОШИБКА"
    r"|ПРЕДУПРЕЖДЕНИЕ|ВАЖНО|ПАНИКА|ПОМИЛКА|ПОПЕРЕДЖЕННЯ|ФАТАЛЬНО|ПАНІКА|错误|致命错误|警告|严重"
    r"|エラー|致命的エラー|重大|오류|경고|심각|치명적오류)"
    "[:\uff1a])"  # the colon, or its full-width form
)
"""The default selection of errors and warnings, as an RE2 regex over the raw line.

Level words anywhere in the line (log15 writes ``eror``); the words of a crash or a failed call
that a program writes with no level at all, as runtimes, shells, the kernel, the C library and
Go write them (the first letter in either case, the rest as they write it): a kill
(``Killed``, ``signal: killed``, ``OOMKilled``, ``Out of memory: Killed process``), a native
crash (``Segmentation fault``, ``core dumped``, ``SIGSEGV``, ``terminate called after
throwing``), an exit with a status other than 0 (``exit status 137``, ``exited with code 1``,
``"exitCode":2``), a container's restart reasons (``CrashLoopBackOff``, ``ErrImagePull``;
not ``Evicted``, which a cache logs at info), an uncaught or unhandled exception, and the
errno texts of a failed call (``connection refused``, ``no space left on device``, ``i/o
timeout``, ``context deadline exceeded``, ...) and Go's certificate verification (``x509:
certificate signed by unknown authority``); a klog severity prefix
(``E1123 14:02:03.123456 ...``), and the levels that are no word: pino's and bunyan's numbers
(``"level":50``; 40 and up are warnings and worse), MongoDB's ``"s":"E"`` (its letters F, E
and W) and the plain prefixes that `log_analyzer.logs.levels` reads as a warning or worse:

* Redis's and Valkey's ``#`` (``1:M 04 Dec 2026 14:02:03.123 # ...``; ``*``, ``-`` and ``.``
  are notice, verbose and debug), also in Redis 2.8's ``[1] 04 Dec 14:02:03.123 # ...``, and
  what Redis writes from a signal handler, at its warning level (``1:signal-handler
  (1796392923) Received SIGTERM ...``);
* MongoDB's text log before 4.4 (``2026-12-04T14:02:03.123+0000 E  NETWORK  [conn12] ...``);
* a syslog priority whose severity (the number modulo 8) is 0 to 4, emerg to warning (``<3>``,
  ``<11>``; not ``<6>`` or ``<14>``), spelled out number by number up to 191;
* a level's initial in brackets: opening the line with the time, as Tornado and Jupyter write
  (``[E 260314 09:41:12 web:2250] 500 GET /``), or after a time, as spdlog's short names
  (``2026-12-04 14:02:03.123 [E] ...``);
* the abbreviations of Go's console loggers: logrus' on a terminal (``ERRO[0005] ...``), and
  after a time charmbracelet/log's (``2026/12/04 14:02:03 ERRO ...``) and zerolog's (``9:41AM
  WRN ...``, ``ERR``, ``FTL``, ``PNC``);
* a Python exception's line, the last of a traceback, whose class names no error word: a
  dotted module and a class (``elastic_transport.ConnectionTimeout: Connection timed out``,
  ``django.http.response.Http404``), or a class of two or more capitalised words alone on the
  line (``KeyboardInterrupt``, ``StopIteration``) or, for Python's exits and interrupts, with
  its message (``SystemExit: 3``). A capitalised key and its value (``LogLevel: info``) is
  none.

A localized level of a warning or worse counts as a word followed by a colon (or its
full-width form), as PostgreSQL with ``lc_messages`` set and Java's logging write it:
``FEHLER:``, ``ERREUR:``, ``ОШИБКА:``, ``错误:``, ``エラー:`` (the words of
`log_analyzer.logs.localized_levels`); in a sentence, or an informational one (``HINWEIS:``),
it does not.

Each prefix counts at the start of the line and at the start of a wrapped line
(`log_analyzer.logs.wrappers`): after a CRI runtime's ``<time> stderr F ``, and after a
shipper's ``"log":"`` (its quotes escaped when records nest, one inside the other), where Go's
encoder writes a syslog priority's ``<`` and ``>`` as ``\u003c`` and ``\u003e``; the JSON
levels count with their quotes escaped as well. A wrapper's ``"stream":"stderr"`` is no level.

Without these, a Node.js service's error whose message names no level word (``connect
ECONNREFUSED``), or a Redis replica that lost its primary, would never be fetched. The
prefixes are anchored at the start of the line or right after a wrapper, so a store's regex
engine rejects most lines early. For stores that keep no level of their own; a store with a level
field filters on it instead.
"""


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open time window ``[start_ns, end_ns)``."""

    start_ns: int
    end_ns: int

    @property
    def seconds(self) -> float:
        """The window's length."""
        return (self.end_ns - self.start_ns) / 1e9


class Order(StrEnum):
    """Which end of the window a limited answer keeps."""

    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True, slots=True)
class LineFilter:
    """Which lines of the selected streams count; all of the given conditions hold."""

    pattern: str | None = None
    """An RE2 regex the raw line must match (the request's ``log_filter``)."""
    severe: bool = False
    """Only errors and warnings (each store decides how: a level field, or `SEVERE_PATTERN`)."""
    exclude: tuple[str, ...] = ()
    """Literal texts the line must not contain."""

    @classmethod
    def default(cls) -> LineFilter:
        """Errors and warnings: what an analysis looks at unless told otherwise."""
        return cls(severe=True)

    @classmethod
    def every(cls) -> LineFilter:
        """Every line of the selected streams."""
        return cls()


@dataclass(frozen=True, slots=True)
class Selection:
    """Which streams to read: filter name -> value, as the store's `SourceSpec` declares them."""

    filters: tuple[tuple[str, str], ...] = ()
    """Set filters only, in a stable order."""

    @classmethod
    def of(cls, values: Mapping[str, str | None]) -> Selection:
        """The set (non-empty) values of ``values``."""
        return cls(tuple(sorted((k, v) for k, v in values.items() if v)))

    def get(self, name: str) -> str | None:
        """The value of filter ``name``, or None when it is not set."""
        return next((value for key, value in self.filters if key == name), None)

    def as_dict(self) -> dict[str, str]:
        """The set filters as a dict."""
        return dict(self.filters)


@dataclass(frozen=True, slots=True)
class EntryQuery:
    """Entries of the selected streams in a window, at most ``limit``, from one end."""

    window: Window
    selection: Selection
    line_filter: LineFilter
    limit: int
    order: Order = Order.NEWEST


@dataclass(frozen=True, slots=True)
class CountQuery:
    """Lines of the selected streams in a window that pass a line filter, counted."""

    window: Window
    selection: Selection
    line_filter: LineFilter


Decoder = Callable[[Any, int], DecodedEntries]
"""``decode(payload, limit)``: a module-level function (or a partial of one), so it pickles."""


def decode_rows(payload: tuple[list[Row], bool], limit: int) -> DecodedEntries:
    """The decoder of stores whose payload is rows already, and whether more matched."""
    rows, more = payload
    return DecodedEntries(rows, 0, more)


@dataclass(frozen=True, slots=True)
class RawEntries:
    """A store's answer to an `EntryQuery`, not yet decoded."""

    query: str
    """The store's own text of the query it ran."""
    payload: Any = field(repr=False)
    """What the store sent (bytes of a body, or a list of events), picklable."""
    decode: Decoder = field(repr=False)
    limit: int = 0

    def decoded(self) -> DecodedEntries:
        """The entries, decoded (CPU work: call it in a worker)."""
        return self.decode(self.payload, self.limit)


class LogSource(Protocol):
    """A log store, as the pipeline sees it."""

    @property
    def name(self) -> str:
        """The store's name in requests, errors and spans (``loki``)."""
        ...

    async def entries(self, query: EntryQuery) -> RawEntries:
        """Entries of the window from the end ``query.order`` names, at most ``query.limit``."""
        ...

    async def totals(self, query: CountQuery) -> Totals:
        """Lines of the window by level and source."""
        ...

    async def histogram(self, query: CountQuery, step_seconds: int) -> Histogram:
        """Lines per ``step_seconds`` bucket and level over the window."""
        ...

    async def ready(self) -> None:
        """Return when the store can answer; raise a `SourceError` saying why otherwise."""
        ...


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """One filter a store understands."""

    name: str
    description: str
    regex: bool = False
    """The value is an RE2 regex rather than an exact value."""


Instrument = Callable[["httpx.AsyncClient"], None]
"""Traces an HTTP client's requests (given to stores that talk HTTP)."""


class SourceSpec(Protocol):
    """What the service needs to know of a store before it has one open."""

    name: str
    """The value of the request's ``source`` field."""
    filters: tuple[FilterSpec, ...]

    def check(self, selection: Selection) -> None:
        """Raise `InputError` naming ``filters.<name>`` when the store cannot serve it."""
        ...

    def unconfigured(self, settings: Settings) -> str | None:
        """Why the store cannot be used with ``settings``, or None when it can."""
        ...

    def where(self, settings: Settings) -> str:
        """Where the store is, in words, for progress messages (``http://loki:3100/``)."""
        ...

    def open(
        self, settings: Settings, instrument: Instrument
    ) -> AbstractAsyncContextManager[LogSource]:
        """The store's client, open for the life of the context."""
        ...


_MAY_HOLD_SURROGATES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


def may_hold_surrogates(content: bytes) -> bool:
    """Whether JSON ``content`` may decode to a lone surrogate (escaped, or encoded as bytes).

    False means every string it holds is valid Unicode.
    """
    return _MAY_HOLD_SURROGATES.search(content) is not None
