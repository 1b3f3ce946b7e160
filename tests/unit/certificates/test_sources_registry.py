"""The registry of certificate document sources: a kind has at most one provider, registering the
same source again changes nothing, and a kind nobody provides has no record."""
import pytest

from app.certificates import sources


@pytest.fixture()
def registry(monkeypatch):
    monkeypatch.setattr(sources, "_SOURCES", {})
    return sources


def _source(name, kinds, found=None):
    asked = []

    def find(session, kind, resident_id, options):
        asked.append((session, kind, resident_id, options))
        return found

    return sources.DocumentSource(name, kinds, find), asked


def test_sources_find_asks_the_provider_of_the_kind_with_the_request(registry):
    record = sources.SourceRecord(final_grade="半壊", next_copy=lambda session: None)
    source, asked = _source("disasters", ("罹災証明書", "被災証明書"), record)
    registry.register(source)
    assert registry.provided_kinds() == ("罹災証明書", "被災証明書")
    assert registry.find_record("session", "罹災証明書", 7, {"disaster_id": 3}) is record
    assert asked == [("session", "罹災証明書", 7, {"disaster_id": 3})]


def test_sources_a_kind_nobody_provides_has_no_record(registry):
    source, asked = _source("disasters", ("罹災証明書",))
    registry.register(source)
    assert registry.find_record("session", "住民票の写し", 7, {}) is None
    assert asked == []


def test_sources_a_second_provider_of_a_kind_is_refused_and_changes_nothing(registry):
    first, _ = _source("disasters", ("罹災証明書",))
    registry.register(first)
    registry.register(first)  # discovered again: the same provider
    second, _ = _source("insurance", ("被災証明書", "罹災証明書"))
    with pytest.raises(ValueError, match="罹災証明書 is already provided by disasters"):
        registry.register(second)
    assert registry.provided_kinds() == ("罹災証明書",)
