"""The quick select writes the same options as Django's select, escaped, with the chosen one selected."""

from __future__ import annotations

from django import forms

from pmo.forms import QuickSelect


class _Form(forms.Form):
    project = forms.ChoiceField(
        choices=[("", "Any project"), ("1", "GW-01 <Riverside> & park"), ("2", "TR-09 Tunnel")],
        required=False,
        widget=QuickSelect(attrs={"class": "pick"}),
    )


def test_the_quick_select_writes_each_option_escaped_and_selects_the_chosen_one() -> None:
    html = str(_Form({"project": "2"})["project"])

    opening = html.split(">", 1)[0]
    assert opening.startswith("<select ")
    assert {'name="project"', 'class="pick"', 'id="id_project"'} <= set(opening.split()[1:])
    assert '<option value="">Any project</option>' in html
    assert '<option value="1">GW-01 &lt;Riverside&gt; &amp; park</option>' in html
    assert '<option value="2" selected>TR-09 Tunnel</option>' in html
    assert html.endswith("</select>")


def test_the_quick_select_selects_the_empty_option_when_nothing_is_chosen() -> None:
    html = str(_Form({})["project"])

    assert '<option value="" selected>Any project</option>' in html
    assert "selected" not in html.split("</option>", 1)[1]
