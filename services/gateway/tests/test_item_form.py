"""The item edit form read as the catalog takes it: table rows added, removed and left empty, numbers the form
cannot read reported next to their own input, and the catalog's field paths mapped back to the inputs."""

from starlette.datastructures import FormData

from gateway.item_form import apply_form, editing_rows, field_id


def posted(**fields) -> FormData:
    base = {"name": "居住证办理", "fees": "不收费", "visits_required": "1"}
    return FormData({**base, **{k.replace("__", "-"): v for k, v in fields.items()}})


def test_rows_come_in_order_without_empty_ones_and_with_their_flags():
    data = posted(
        materials__0__name="身份证",
        materials__0__copies="1",
        materials__0__required="on",
        materials__1__name="",
        materials__1__copies="1",
        materials__2__name="户口簿",
        materials__2__copies="2",
    )
    item, errors = apply_form({}, data)
    assert errors == {}
    assert [(m["name"], m["copies"], m["required"]) for m in item["materials"]] == [
        ("身份证", 1, True),
        ("户口簿", 2, False),
    ]
    assert item["steps"] == [] and item["legal_time_limit_days"] is None and item["latitude"] is None


def test_add_and_remove_buttons_only_reshape_the_table():
    data = posted(steps__0__title="受理", steps__1__title="审核", remove="steps-0", add="faq")
    item, _ = apply_form({}, data)
    assert [s["title"] for s in item["steps"]] == ["审核"]
    assert item["faq"] == [{"question": "", "answer": ""}]
    assert editing_rows(data) and not editing_rows(posted())


def test_unreadable_numbers_are_kept_as_typed_next_to_their_row():
    data = posted(
        materials__0__name="",
        materials__0__copies="1",
        materials__1__name="照片",
        materials__1__copies="两张",
        latitude="北纬30度",
        visits_required="",
    )
    item, errors = apply_form({}, data)
    assert errors == {"materials-0-copies": "应为整数", "latitude": "应为数字", "visits_required": "应为整数"}
    assert item["materials"][0]["copies"] == "两张"  # the empty first row is gone: the message moved with its row


def test_catalog_paths_name_the_form_inputs():
    assert field_id("materials[2].name") == "materials-2-name"
    assert field_id("themes[1]") == "themes"
    assert field_id("promised_time_limit_days") == "promised_time_limit_days"
    assert field_id("") == "form"
