"""Markdown rendering and sanitising of model and prompt text, on small known inputs."""

from __future__ import annotations

import pytest

from expertloop.web.markdown import render_markdown, render_prompt, sanitize

CASES = [
    ("**bold** and `code`", "<p><strong>bold</strong> and <code>code</code></p>\n"),
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
    ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"),
    ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
    ("[x](JaVaScRiPt:alert(1))", "<p>[x](JaVaScRiPt:alert(1))</p>\n"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>[x](data:text/html;base64,PHNjcmlwdD4=)</p>\n"),
    (
        "[docs](https://example.org)",
        '<p><a href="https://example.org" rel="noopener noreferrer nofollow">docs</a></p>\n',
    ),
    (
        "![chart](https://example.org/c.png)",
        '<p><a href="https://example.org/c.png" rel="noopener noreferrer nofollow">'
        "[image: chart]</a></p>\n",
    ),
    ("", ""),
]


@pytest.mark.parametrize(("text", "html"), CASES)
def test_render_markdown_known_inputs(text: str, html: str) -> None:
    assert str(render_markdown(text)) == html


@pytest.mark.parametrize(
    ("html", "clean"),
    [
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ('<p onclick="alert(1)">x</p>', "<p>x</p>"),
        ("<script>alert(1)</script><p>x</p>", "<p>x</p>"),
        ("<style>p{}</style><iframe src=x></iframe>ok", "ok"),
        (
            '<a href="mailto:a@b.org">m</a>',
            '<a href="mailto:a@b.org" rel="noopener noreferrer nofollow">m</a>',
        ),
    ],
)
def test_sanitize_drops_active_content_even_from_raw_html(html: str, clean: str) -> None:
    assert sanitize(html) == clean


def test_render_prompt_turns_a_chat_into_labelled_turns() -> None:
    turns = render_prompt(
        [
            {"role": "system", "content": "Be *brief*."},
            {"role": "user", "content": "<script>x</script>?"},
            {"role": "assistant", "content": "Yes."},
        ]
    )
    assert [(t.role, t.label) for t in turns] == [
        ("system", "System"),
        ("user", "User"),
        ("assistant", "Assistant"),
    ]
    assert str(turns[0].html) == "<p>Be <em>brief</em>.</p>\n"
    assert str(turns[1].html) == "<p>&lt;script&gt;x&lt;/script&gt;?</p>\n"


def test_render_prompt_of_plain_text_is_one_turn() -> None:
    turns = render_prompt("Is *this* right?")
    assert [(t.role, t.label, str(t.html)) for t in turns] == [
        ("user", "Prompt", "<p>Is <em>this</em> right?</p>\n")
    ]
