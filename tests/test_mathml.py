"""LaTeX in titles and abstracts becomes MathML at build time; what cannot be converted shows its source."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.text.markup import render_markdown
from generator.text.mathml import plain_tex, render_tex, split_math


def test_subscript_title_renders_mathml() -> None:
    html = render_tex("Beyond $L_2$ loss")
    assert html.startswith("Beyond <math ")
    assert "<msub><mi>L</mi><mn>2</mn></msub>" in html
    assert html.endswith("</math> loss")
    assert "$" not in html


def test_greek_letter_in_a_name() -> None:
    html = render_tex("PanGu-$π$: Enhancing Language Model Architectures")
    assert html.startswith('PanGu-<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">')
    assert "<mi>π</mi>" in html


def test_calligraphic_and_percent() -> None:
    html = render_tex(r"Cuts 30\% of the $\mathcal{O}(n)$ cost")
    assert html.startswith("Cuts 30% of the <math")
    assert "<mi>𝒪</mi>" in html


@pytest.mark.parametrize("tex", [r"$\frac{1}{2$", r"$\notacommand{x}$", r"$\text{a<b}$"])
def test_unconvertible_math_shows_escaped_source(tex: str) -> None:
    html = render_tex(f"A {tex} title")
    assert "<math" not in html
    assert '<code class="tex">' in html
    assert "<b" not in html.replace("<code", "")  # the "<" of a<b is escaped
    assert render_tex(r"$\text{a<b}$") == '<code class="tex">$\\text{a&lt;b}$</code>'


def test_dollar_amounts_are_not_math() -> None:
    assert render_tex("costs $5 and $10") == "costs $5 and $10"
    assert list(split_math("a $x$ b")) == [(False, "a ", False), (True, "x", False), (False, " b", False)]
    assert render_tex(r"escaped \$x\$ stays") == "escaped $x$ stays"


def test_text_is_escaped() -> None:
    assert render_tex('<script>alert("x")</script> & $x$').startswith(
        '&lt;script&gt;alert("x")&lt;/script&gt; &amp; <math'
    )


def test_plain_text_for_title_element() -> None:
    assert plain_tex("Beyond $L_2$ loss") == "Beyond L₂ loss"
    assert plain_tex("PanGu-$π$") == "PanGu-π"
    assert plain_tex(r"30\% of $\mathcal{O}(n^2)$") == "30% of 𝒪(n²)"
    assert plain_tex(r"bad $\frac{1}{2$") == r"bad $\frac{1}{2$"


def test_abstract_math_is_not_emphasis() -> None:
    html = render_markdown(r"We bound $a_i * b_i$ and $x_1 * y_1$ by 30\% with *care*.")
    assert "<em>care</em>" in html
    assert html.count("<math") == 2
    assert "<em>" not in html.split("</math>")[0]
    assert "30%" in html


def test_abstract_links_and_safety() -> None:
    html = render_markdown("Code: https://github.com/a/b_c. Not javascript:alert(1) nor <b>x</b> or [y](javascript:z)")
    assert '<a href="https://github.com/a/b_c" rel="noopener">https://github.com/a/b_c</a>.' in html
    assert "<b>" not in html and 'href="javascript' not in html


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=60))
def test_any_title_gives_well_formed_escaped_markup(text: str) -> None:
    html = render_tex(text)
    ET.fromstring(f"<t>{html}</t>")  # well formed: nothing unescaped leaks through
    assert "<script" not in html
