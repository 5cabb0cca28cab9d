"""The level words of servers and runtimes that write them in the language of their locale.

PostgreSQL with ``lc_messages`` set translates its severities (``FEHLER:  ...`` in German,
``ERREUR`` in French, ``ОШИБКА`` in Russian, ``错误`` in Chinese), and Java's logging writes
``Level.getLocalizedName()`` (``SCHWERWIEGEND:``, ``GRAVE:``, ``重大:``). Both write the word
as a prefix, followed by a colon; the words below are read as a level only so (`levels`), and
the default line filter (`log_analyzer.sources.base.SEVERE_PATTERN`) fetches those of a warning
or worse the same way. Words that are also the English ones (``ERROR``, ``FATAL``, ``PANIC``,
``INFO``, ``LOG``) are the English table's.
"""

from __future__ import annotations

LOCALIZED_LEVELS: dict[str, str] = {
    **dict.fromkeys(
        (
            "PANIK", "PANIKA", "PÂNICO", "PANICO", "ПАНИКА", "ПАНІКА", "ВАЖНО", "ФАТАЛЬНО",
            "FATALE", "FATALT", "FATÁLNÍ", "KATASTROFALNY", "致命错误", "致命的エラー",
            "치명적오류",
        ),
        "fatal",
    ),
    **dict.fromkeys(
        (
            "FEHLER", "SCHWER", "SCHWERWIEGEND", "ERREUR", "GRAVE", "ERRORE", "ERRO", "FEL",
            "ALLVARLIG", "BŁĄD", "HATA", "CHYBA", "ОШИБКА", "ПОМИЛКА", "错误", "严重",
            "エラー", "重大", "오류", "심각",
        ),
        "error",
    ),
    **dict.fromkeys(
        (
            "WARNUNG", "ATTENTION", "AVERTISSEMENT", "ATTENZIONE", "AVVERTENZA", "ADVERTENCIA",
            "ADVERTÊNCIA", "AVISO", "VARNING", "OSTRZEŻENIE", "UYARI", "VAROVÁNÍ",
            "ПРЕДУПРЕЖДЕНИЕ", "ПОПЕРЕДЖЕННЯ", "警告", "경고",
        ),
        "warn",
    ),
    **dict.fromkeys(("HINWEIS", "ЗАМЕЧАНИЕ", "СООБЩЕНИЕ"), "info"),
    "ОТЛАДКА": "debug",
}  # fmt: skip
"""Each word as its program writes it (capitals where its script has them), to its level."""
