"""The gateway's page store: what it keeps, for how long, what an event drops, and its size bound."""

import time

from gateway.page_cache import PageStore, keys_of
from portal.catalog.v1 import catalog_pb2
from portal.events.v1 import events_pb2
from portal.feedback.v1 import feedback_pb2


def page_headers(keys: str = "", etag: str = 'W/"1"') -> list[tuple[bytes, bytes]]:
    headers = [(b"content-type", b"text/html"), (b"etag", etag.encode()), (b"content-length", b"5")]
    return headers + ([(b"surrogate-key", keys.encode())] if keys else [])


def test_a_page_is_kept_under_its_request_and_named_by_its_keys():
    store = PageStore(60, 5, 1_000_000)
    store.put(("host", "/items/7"), page_headers("item-7 department-3"), b"<p>7</p>", store.generation)
    page = store.get(("host", "/items/7"))
    assert page.body == b"<p>7</p>" and page.etag == 'W/"1"' and page.keys == {"item-7", "department-3"}
    assert b"content-length" not in dict(page.headers)  # set again for the body answered
    assert store.get(("host", "/items/8")) is None


def test_an_event_drops_exactly_the_pages_that_name_its_keys():
    store = PageStore(60, 5, 1_000_000)
    store.put(("/items/7",), page_headers("item-7 department-3"), b"7", store.generation)
    store.put(("/items/8",), page_headers("item-8 department-3"), b"8", store.generation)
    store.put(("/items/9",), page_headers("item-9 department-4"), b"9", store.generation)
    assert store.purge({"item-7"}) == 1
    assert store.get(("/items/7",)) is None and store.get(("/items/8",)) is not None
    assert store.purge({"department-3", "department-5"}) == 1
    assert store.get(("/items/8",)) is None and store.get(("/items/9",)) is not None


def test_pages_without_keys_live_the_shorter_lifetime():
    store = PageStore(60, 0.05, 1_000_000)
    store.put(("/search?q=a",), page_headers(), b"results", store.generation)
    store.put(("/items/7",), page_headers("item-7"), b"item", store.generation)
    time.sleep(0.1)
    assert store.get(("/search?q=a",)) is None
    assert store.get(("/items/7",)) is not None


def test_a_zero_lifetime_keeps_nothing_and_zero_bytes_turns_it_off():
    assert not PageStore(60, 5, 0).enabled
    store = PageStore(60, 0, 1_000_000)
    store.put(("/search?q=a",), page_headers(), b"results", store.generation)
    assert store.get(("/search?q=a",)) is None


def test_the_least_recently_used_pages_go_first_once_over_the_bound():
    store = PageStore(60, 60, 3000)
    for n in range(3):
        store.put((n,), page_headers(f"item-{n}"), b"x" * 250, store.generation)
    store.get((0,))  # 0 is used again: 1 is now the oldest
    for n in range(3, 13):  # one page more than the bound holds
        store.put((n,), page_headers(f"item-{n}"), b"x" * 250, store.generation)
    assert store.get((0,)) is not None and store.get((1,)) is None and store.get((12,)) is not None
    assert sum(len(p.body) for p in store._pages.values()) <= 3000


def test_catalog_events_name_the_item_its_department_and_the_catalog():
    item = catalog_pb2.ServiceItem(id=7, department_id=3)
    event = events_pb2.CatalogItemChanged(item=item).SerializeToString()
    assert keys_of("catalog.item.changed", event) == {"item-7", "department-3", "catalog"}
    department = events_pb2.DepartmentChanged(department=catalog_pb2.Department(id=3)).SerializeToString()
    assert keys_of("catalog.department.changed", department) == {"department-3", "catalog"}


def test_feedback_events_name_the_item_they_are_about_and_new_submissions_nothing():
    rating = events_pb2.RatingChanged(rating=feedback_pb2.Rating(item_id=7)).SerializeToString()
    assert keys_of("feedback.rating.made", rating) == {"feedback", "feedback-item-7"}
    answered = events_pb2.TicketChanged(item_id=7).SerializeToString()
    assert keys_of("feedback.ticket.answer", answered) == {"feedback", "feedback-item-7"}
    published = events_pb2.ExperienceChanged(experience_id=2).SerializeToString()
    assert keys_of("feedback.experience.published", published) == {"feedback"}
    created = events_pb2.TicketCreated(item_id=7).SerializeToString()
    assert keys_of("feedback.ticket.created", created) == set()
    assert keys_of("feedback.experience.submitted", published) == set()


def test_a_page_rendered_while_its_sources_changed_is_not_kept():
    store = PageStore(60, 60, 1_000_000)
    began = store.generation  # a rendering starts
    store.purge({"item-7"})  # the item's event arrives before the page is done
    store.put(("/items/7",), page_headers("item-7 department-3"), b"old", began)
    store.put(("/items/8",), page_headers("item-8 department-3"), b"other", began)
    store.put(("/search?q=a",), page_headers(), b"results", began)
    assert store.get(("/items/7",)) is None  # its next request renders the new data
    assert store.get(("/items/8",)) is not None and store.get(("/search?q=a",)) is not None
    store.clear()  # reconnected: every event may have been missed
    store.put(("/search?q=a",), page_headers(), b"results", began)
    assert store.get(("/search?q=a",)) is None
