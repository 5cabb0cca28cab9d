"""Texts that name known patterns, for the store to leave out in a coverage pass."""

from __future__ import annotations

from log_analyzer.logs.condense import condense
from log_analyzer.logs.exclusions import MAX_EXCLUSIONS, choose_exclusions, literal_runs
from log_analyzer.logs.levels import Level
from log_analyzer.logs.normalize import NormalizedEntry

S = 1_000_000_000


def entries(messages: list[str]) -> list[NormalizedEntry]:
    return [
        NormalizedEntry(m, Level.ERROR, 1, i * S, i * S, ("api-0/api",), False, (("api-0/api", 1),))
        for i, m in enumerate(messages)
    ]


def test_runs_are_split_at_placeholders_redactions_and_escapable_characters() -> None:
    template = (
        'upstream payments returned <NUM> for order <*> after "3 tries at most" in total '
        "[REDACTED:jwt] while calling the ledger service"
    )
    assert literal_runs(template) == [
        "while calling the ledger service",
        "upstream payments returned",
        "3 tries at most",
    ]


def test_short_runs_do_not_name_a_pattern() -> None:
    assert literal_runs("timeout <*> failed to <*>") == []


def test_a_text_is_chosen_only_when_it_names_its_pattern_exactly() -> None:
    loud = [f"upstream payments returned 503 for order {i} after 3 retries" for i in range(50)]
    other = ["upstream payments returned nothing useful today"]  # shares the first run's words
    quiet = ["disk quota exceeded on volume pvc-42"]
    lines = loud + other + quiet
    patterns = condense(entries(lines))
    chosen = choose_exclusions(patterns, lines, split=())
    # Every chosen text occurs in exactly the lines of one pattern.
    for text in chosen:
        owners = [p for p in patterns if text in p.template]
        assert len(owners) == 1
        assert sum(text in line for line in lines) == owners[0].count
    assert any("disk quota exceeded" in text for text in chosen)
    assert not any(text == "upstream payments returned" for text in chosen)


def test_a_text_missing_from_the_raw_lines_is_not_chosen() -> None:
    # The template comes from the message inside JSON; a run holding an escaped character
    # would not read the same in the raw line, and runs never span one.
    messages = [f'cannot parse "config.yaml" line {i}: unexpected key' for i in range(5)]
    raw = [f'{{"msg":"cannot parse \\"config.yaml\\" line {i}: unexpected key"}}' for i in range(5)]
    patterns = condense(entries(messages))
    chosen = choose_exclusions(patterns, raw, split=())
    assert all(all(text in line for line in raw) for text in chosen)


def test_texts_already_left_out_stay_first_and_the_count_is_bounded() -> None:
    lines = [
        f"worker {n:03d} finished batch number {n} of the nightly import job" for n in range(3)
    ]
    lines += [f"distinct failure message number {n:04d} with its own words" for n in range(300)]
    patterns = condense(entries(lines))
    chosen = choose_exclusions(patterns, lines, ("earlier text we left out",), split=())
    assert chosen[0] == "earlier text we left out"
    assert len(chosen) <= MAX_EXCLUSIONS


def test_no_text_names_an_event_the_store_holds_as_several_lines() -> None:
    # A store leaves lines out one by one: a text of one line of a trace would split it.
    traces = [
        f"ERROR the payment provider rejected charge {i}\n"
        "java.io.IOException: connection reset by the ledger service"
        for i in range(5)
    ]
    resets = ["connection reset by the ledger service"] * 3  # also a line of every trace
    quiet = ["disk quota exceeded on volume pvc-42"]
    lines = traces + resets + quiet
    patterns = condense(entries(lines))
    store_lines = [line for trace in traces for line in trace.split("\n")] + resets + quiet

    chosen = choose_exclusions(patterns, store_lines, split=traces)

    assert chosen == ("disk quota exceeded on volume pvc-",)
    # Read as lines of their own, the traces would be named by the text of one of their lines.
    assert choose_exclusions(patterns, lines, split=()) == (
        "java.io.IOException: connection reset by the ledger service",
        "disk quota exceeded on volume pvc-",
    )
