"""The auditor's comparisons: what it calls missing, stale, stray, unpublished or doubled."""

from collections import Counter

from portal_common.audit import OutboxRow, compare_index, compare_outbox


def test_the_index_is_compared_item_by_item_with_the_catalog():
    catalog = {1: (3, "published"), 2: (1, "withdrawn"), 3: (2, "published"), 4: (1, "draft")}
    indexed = {1: (3, "published"), 2: (1, "published"), 3: (1, "published"), 9: (1, "published")}
    assert compare_index(catalog, indexed) == [
        "item 2: catalog v1 withdrawn, index v1 published",
        "item 3: catalog v2 published, index v1 published",
        "item 4 v1 (draft) missing from the index",
        "item 9 in the index but not in the catalog",
    ]
    assert compare_index(catalog, dict(catalog)) == []


def test_each_published_outbox_row_must_be_stored_exactly_once():
    def row(event_id: str, published: bool = True) -> OutboxRow:
        return OutboxRow(event_id, "catalog.item.changed", b"", "", published)

    stored = {"CATALOG": Counter({"once": 1, "twice": 2, "stranger": 1})}
    rows = [row("once"), row("twice"), row("lost"), row("waiting", published=False)]
    assert compare_outbox(rows, stored) == [
        "catalog.item.changed twice stored 2 times in the stream",
        "catalog.item.changed lost stored 0 times in the stream",
        "catalog.item.changed waiting never published (published_at empty)",
    ]
