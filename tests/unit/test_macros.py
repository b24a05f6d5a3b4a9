"""The Jinja macros in web/templates/macros render accessible, escaped HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
IMPORTS = '{% import "macros/forms.html" as forms %}{% import "macros/ui.html" as ui %}'
VOID = {"input", "meta", "br", "img", "hr", "link"}
HOSTILE = '"><script>alert(1)</script>'


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()


class Page(HTMLParser):
    """A parsed fragment: every element in document order, with its text and children."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        if self._open:
            self._open[-1].children.append(element)
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def by_id(self, id_: str) -> Element:
        (found,) = [e for e in self.elements if e.attrs.get("id") == id_]
        return found

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]


@pytest.fixture(params=[True, False], ids=["autoescape", "plain"])
def env(request: pytest.FixtureRequest) -> jinja2.Environment:
    # The app's Starlette environment autoescapes; the macros must be safe without it too.
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        extensions=["jinja2.ext.i18n"],
        autoescape=request.param,  # noqa: S701 - both settings are exercised on purpose
    )
    environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return environment


def render(env: jinja2.Environment, source: str, **context: Any) -> str:
    return env.from_string(IMPORTS + source).render(**context)


def textarea_value(element: Element) -> str:
    """What a browser shows: HTML drops one newline right after <textarea>."""
    return element.text.removeprefix("\n")


def page_url(number: int) -> str:
    return f"/needs?q=a&page={number}"


# ---------- forms ----------


def test_field_error_sits_next_to_its_input_and_is_announced(env: jinja2.Environment) -> None:
    form = {"values": {"email": "x@"}, "errors": {"email": ["Enter a valid email"]}}
    html = render(
        env,
        '{{ forms.field(form, "email", "Email", type="email", help="For replies", required=True,'
        ' autocomplete="username") }}',
        form=form,
    )
    page = Page(html)

    wrapper = page.elements[0]
    assert wrapper.classes() == ["field", "field--error"]
    assert [child.tag for child in wrapper.children] == ["label", "p", "p", "input"]
    assert page.all("label")[0].attrs["for"] == "f-email"
    assert page.by_id("f-email-error").text == "Error: Enter a valid email"
    assert page.by_id("f-email-error").classes() == ["field__error"]
    assert page.by_id("f-email-help").text == "For replies"
    assert page.by_id("f-email").attrs == {
        "id": "f-email",
        "name": "email",
        "type": "email",
        "value": "x@",
        "required": None,
        "autocomplete": "username",
        "aria-invalid": "true",
        "aria-describedby": "f-email-help f-email-error",
    }


def test_field_without_errors_or_help_has_no_aria_marks(env: jinja2.Environment) -> None:
    html = render(env, '{{ forms.field(form, "title", "Title") }}', form=None)
    page = Page(html)

    assert page.elements[0].classes() == ["field"]
    assert page.by_id("f-title").attrs == {
        "id": "f-title",
        "name": "title",
        "type": "text",
        "value": "",
    }
    assert "field__error" not in html


def test_field_extra_attrs_render_booleans_and_skip_false(env: jinja2.Environment) -> None:
    html = render(
        env,
        '{{ forms.field(None, "budget", "Budget", type="number",'
        ' attrs={"min": 0, "readonly": true, "disabled": false, "data-x": none}) }}',
    )
    attrs = Page(html).by_id("f-budget").attrs

    assert attrs["min"] == "0"
    assert attrs["readonly"] == "readonly"
    assert "disabled" not in attrs
    assert "data-x" not in attrs


def test_password_field_never_echoes_its_value(env: jinja2.Environment) -> None:
    form = {"values": {"password": "Correct-Horse-42"}, "errors": {}}
    html = render(
        env, '{{ forms.field(form, "password", "Password", type="password") }}', form=form
    )

    assert "value" not in Page(html).by_id("f-password").attrs
    assert "Correct-Horse-42" not in html


def test_values_labels_and_errors_are_html_escaped(env: jinja2.Environment) -> None:
    form = {
        "values": {"title": HOSTILE, "summary": HOSTILE, "kind": HOSTILE},
        "errors": {"title": ["<b>bad</b>"]},
    }
    html = render(
        env,
        '{{ forms.field(form, "title", "<i>Title</i>", help="<u>help</u>") }}'
        '{{ forms.textarea(form, "summary", "Summary") }}'
        '{{ forms.select(form, "kind", "Kind", [(label, label)]) }}'
        "{{ forms.errors_summary(form) }}{{ ui.tag(label) }}{{ ui.empty(label) }}"
        '{{ ui.flash([("error", label)]) }}{{ forms.csrf(label) }}',
        form=form,
        label=HOSTILE,
    )
    page = Page(html)

    assert "<script>" not in html
    assert "<b>" not in html
    assert "<i>" not in html
    assert "<u>" not in html
    assert page.by_id("f-title").attrs["value"] == HOSTILE
    assert textarea_value(page.by_id("f-summary")) == HOSTILE
    assert page.all("option")[0].attrs["value"] == HOSTILE
    assert page.all("option")[0].attrs["selected"] is None
    assert page.all("label")[0].text == "<i>Title</i>"
    assert page.by_id("f-title-error").text == "Error: <b>bad</b>"
    assert page.all("span", class_="tag")[0].text == HOSTILE
    assert page.all("input", type="hidden")[0].attrs["value"] == HOSTILE


def test_textarea_keeps_a_leading_newline_of_its_value(env: jinja2.Environment) -> None:
    form = {"values": {"summary": "\nline"}, "errors": {"summary": ["Too short"]}}
    html = render(env, '{{ forms.textarea(form, "summary", "Summary", rows=6) }}', form=form)
    textarea = Page(html).by_id("f-summary")

    assert textarea_value(textarea) == "\nline"
    assert textarea.attrs["rows"] == "6"
    assert textarea.attrs["aria-invalid"] == "true"
    assert textarea.attrs["aria-describedby"] == "f-summary-error"


def test_select_marks_the_current_value_even_when_options_are_numbers(
    env: jinja2.Environment,
) -> None:
    form = {"values": {"year": "2024"}, "errors": {}}
    options = [("", "Choose"), (2023, "2023"), (2024, "2024")]
    html = render(
        env,
        '{{ forms.select(form, "year", "Year", options, required=True) }}',
        form=form,
        options=options,
    )
    page = Page(html)

    assert [(o.attrs["value"], "selected" in o.attrs) for o in page.all("option")] == [
        ("", False),
        ("2023", False),
        ("2024", True),
    ]
    assert "required" in page.by_id("f-year").attrs


def test_checkboxes_group_under_a_legend_and_check_chosen_values(env: jinja2.Environment) -> None:
    form = {"values": {"regions": ["minhang"]}, "errors": {"regions": ["Choose a region"]}}
    options = [("pudong", "浦东新区"), ("minhang", "闵行区")]
    html = render(
        env,
        '{{ forms.checkboxes(form, "regions", "Regions", options, help="Any number") }}',
        form=form,
        options=options,
    )
    page = Page(html)

    fieldset = page.by_id("f-regions")
    assert fieldset.tag == "fieldset"
    assert fieldset.attrs["aria-describedby"] == "f-regions-help f-regions-error"
    assert page.all("legend")[0].text == "Regions"
    boxes = page.all("input", type="checkbox")
    assert [(b.attrs["id"], b.attrs["value"], "checked" in b.attrs) for b in boxes] == [
        ("f-regions-1", "pudong", False),
        ("f-regions-2", "minhang", True),
    ]
    assert all(b.attrs["aria-invalid"] == "true" for b in boxes)
    assert [label.attrs["for"] for label in page.all("label")] == ["f-regions-1", "f-regions-2"]


def test_checkboxes_accept_a_single_string_value(env: jinja2.Environment) -> None:
    form = {"values": {"open_to": "investment"}, "errors": {}}
    options = [("technology", "Technology"), ("investment", "Investment")]
    html = render(
        env,
        '{{ forms.checkboxes(form, "open_to", "Open to", options) }}',
        form=form,
        options=options,
    )

    checked = [b.attrs["value"] for b in Page(html).all("input") if "checked" in b.attrs]
    assert checked == ["investment"]


def test_errors_summary_links_every_error_to_its_field(env: jinja2.Environment) -> None:
    form = {
        "values": {},
        "errors": {
            "title": ["Enter a title"],
            "budget_max": ["Must be at least the minimum", "Must be a number"],
            "__all__": ["The need is closed"],
            "summary": [],
        },
    }
    page = Page(render(env, "{{ forms.errors_summary(form) }}", form=form))

    box = page.elements[0]
    assert box.attrs["role"] == "alert"
    assert [(a.attrs["href"], a.text) for a in page.all("a")] == [
        ("#f-title", "Enter a title"),
        ("#f-budget_max", "Must be at least the minimum"),
        ("#f-budget_max", "Must be a number"),
    ]
    assert [li.text for li in page.all("li")][-1] == "The need is closed"


@pytest.mark.parametrize("form", [None, {"values": {}, "errors": {}}, {"errors": {"a": []}}])
def test_errors_summary_renders_nothing_without_errors(env: jinja2.Environment, form: Any) -> None:
    assert render(env, "{{ forms.errors_summary(form) }}", form=form).strip() == ""


def test_form_may_be_an_object_with_attributes(env: jinja2.Environment) -> None:
    @dataclass
    class Form:
        values: dict[str, Any]
        errors: dict[str, list[str]]

    form = Form(values={"name": "澜芯"}, errors={"name": ["Too short"]})
    page = Page(render(env, '{{ forms.field(form, "name", "Name") }}', form=form))

    assert page.by_id("f-name").attrs["value"] == "澜芯"
    assert page.by_id("f-name-error").text == "Error: Too short"


def test_csrf_renders_the_hidden_token_field(env: jinja2.Environment) -> None:
    page = Page(render(env, "{{ forms.csrf(token) }}", token="abc123"))

    assert page.elements[0].attrs == {"type": "hidden", "name": "csrf_token", "value": "abc123"}


# ---------- pagination ----------


def pagination(env: jinja2.Environment, page: int, total: int, size: int = 10) -> Page:
    html = render(
        env,
        "{{ ui.pagination(page, total, size, url) }}",
        page=page,
        total=total,
        size=size,
        url=page_url,
    )
    return Page(html)


def link_labels(page: Page) -> list[str]:
    """What each item is called: a link's aria-label, else its text."""
    return [
        (e.children[0].attrs.get("aria-label") if e.children else None) or e.text.strip()
        for e in page.all("li")
    ]


def test_pagination_on_the_first_page_has_next_but_no_previous(env: jinja2.Environment) -> None:
    page = pagination(env, page=1, total=30)

    assert page.all("nav")[0].attrs["aria-label"] == "Pagination"
    assert page.all("a", rel="prev") == []
    assert page.all("a", rel="next")[0].attrs["href"] == page_url(2)
    current = page.all("a", **{"aria-current": "page"})
    assert [(a.attrs["href"], a.attrs["aria-label"], a.text) for a in current] == [
        (page_url(1), "Page 1", "1")
    ]
    assert link_labels(page) == ["Page 1", "Page 2", "Page 3", "Next ›"]


def test_pagination_on_the_last_page_has_previous_but_no_next(env: jinja2.Environment) -> None:
    page = pagination(env, page=3, total=30)

    assert page.all("a", rel="prev")[0].attrs["href"] == page_url(2)
    assert page.all("a", rel="next") == []
    assert page.all("a", **{"aria-current": "page"})[0].attrs["href"] == page_url(3)


def test_pagination_elides_far_pages_around_the_current_one(env: jinja2.Environment) -> None:
    page = pagination(env, page=10, total=200)

    assert link_labels(page) == [
        "‹ Previous",
        "Page 1",
        "…",
        "Page 8",
        "Page 9",
        "Page 10",
        "Page 11",
        "Page 12",
        "…",
        "Page 20",
        "Next ›",
    ]
    assert all(
        gap.attrs["aria-hidden"] == "true" for gap in page.all("span", class_="pagination__gap")
    )


def test_pagination_counts_a_partly_filled_last_page(env: jinja2.Environment) -> None:
    assert link_labels(pagination(env, page=2, total=21)) == [
        "‹ Previous",
        "Page 1",
        "Page 2",
        "Page 3",
        "Next ›",
    ]


def test_pagination_clamps_a_page_past_the_end(env: jinja2.Environment) -> None:
    page = pagination(env, page=99, total=25)

    assert page.all("a", **{"aria-current": "page"})[0].attrs["href"] == page_url(3)
    assert page.all("a", rel="next") == []


@pytest.mark.parametrize(("total", "size"), [(0, 10), (10, 10), (5, 0)])
def test_pagination_is_absent_when_everything_fits_on_one_page(
    env: jinja2.Environment, total: int, size: int
) -> None:
    assert pagination(env, page=1, total=total, size=size).elements == []


# ---------- score, flash, empty, tag ----------


@pytest.mark.parametrize(
    ("value", "band", "label", "shown", "band_class", "band_text"),
    [
        (73.6, "强匹配", None, "74", "band--strong", "Strong match"),
        (50, "good", "较匹配", "50", "band--good", "较匹配"),
        (12, "一般", None, "12", "band--fair", "Fair match"),
        (130, "strong", None, "100", "band--strong", "Strong match"),
        (-5, "fair", None, "0", "band--fair", "Fair match"),
    ],
)
def test_score_shows_the_number_a_meter_and_the_band(
    env: jinja2.Environment,
    value: float,
    band: str,
    label: str | None,
    shown: str,
    band_class: str,
    band_text: str,
) -> None:
    page = Page(
        render(env, "{{ ui.score(value, band, label) }}", value=value, band=band, label=label)
    )

    assert page.all("span", class_="score__value")[0].text == f"Match score {shown}"
    meter = page.all("meter")[0]
    assert (meter.attrs["min"], meter.attrs["max"], meter.attrs["value"]) == ("0", "100", shown)
    pill = next(e for e in page.elements if "band" in e.classes())
    assert (pill.classes(), pill.text) == (["band", band_class], band_text)


def test_flash_gives_each_message_its_kind_role_and_spoken_prefix(env: jinja2.Environment) -> None:
    messages = [("success", "Saved"), ("error", "Not saved"), ("nonsense", "Heads up")]
    page = Page(render(env, "{{ ui.flash(messages) }}", messages=messages))

    flashes = [e for e in page.elements if "flash" in e.classes()]
    assert [(f.classes()[1], f.attrs["role"], f.text.strip()) for f in flashes] == [
        ("flash--success", "status", "Success: Saved"),
        ("flash--error", "alert", "Error: Not saved"),
        ("flash--info", "status", "Note: Heads up"),
    ]


def test_flash_without_messages_renders_nothing(env: jinja2.Environment) -> None:
    assert render(env, "{{ ui.flash([]) }}").strip() == ""


def test_empty_state_shows_its_text_and_an_optional_action(env: jinja2.Environment) -> None:
    plain = Page(render(env, '{{ ui.empty("No needs yet") }}'))
    with_action = Page(
        render(env, '{% call ui.empty("No needs yet") %}<a href="/needs/new">Post</a>{% endcall %}')
    )

    assert plain.elements[0].classes() == ["empty"]
    assert plain.all("p")[0].text == "No needs yet"
    assert plain.all("a") == []
    assert with_action.all("a")[0].attrs["href"] == "/needs/new"


def test_tag_is_a_small_pill(env: jinja2.Environment) -> None:
    page = Page(render(env, '{{ ui.tag("专精特新") }}'))

    assert [(e.tag, e.classes(), e.text) for e in page.elements] == [("span", ["tag"], "专精特新")]
