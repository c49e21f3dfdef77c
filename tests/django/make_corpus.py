"""The differential corpus of SPEC T2, as one list: each case() is a template
(corpus/<name>.html) and the context overrides it renders with on top of base_ctx;
partial() files are only included or extended. Edit here, then run
`python3 tests/django/make_corpus.py` to rewrite corpus/ and contexts.json.

Only constructs Django 5 renders as Django 1.8 (ActionKit's version) did belong here:
ifequal, length_is, bare `=`, linebreaks(br), truncatechars/words and pluralize on
non-numbers changed since, and ActionKit's own tags do not exist in Django; those are
covered by the unit tests in src/render/django/tests.rs.
"""

import json
import os

os.chdir(os.path.dirname(os.path.abspath(__file__)))
cases = {}
partials = {}
def case(name, src, ctx=None):
    cases[name] = (src, ctx if ctx is not None else {})
def partial(name, src):
    partials[name] = src

base_ctx = {
 "name": "Ada <Lovelace>", "title": "the quick brown fox", "empty": "", "zero": 0, "one": 1, "three": 3,
 "n": 1234567, "f": 34.26, "fint": 34.0, "neg": -2.5, "html": "<b>bold</b> & 'q'",
 "items": ["apple", "banana", "cherry"], "nums": [3, 1, 2], "none": None, "t": True, "fa": False,
 "user": {"first_name": "Grace", "last_name": "Hopper", "address": {"city": "Arlington"}, "tags": ["a&b", "c"]},
 "d": {"a": 1, "b": 2}, "pairs": [["x", 1], ["y", 2]], "nested": [[1, 2], [3, 4]],
 "page": {"title": "Save the <Whales>", "name": "whales", "custom_fields": {"goal": "100"}},
 "when": {"__date__": "2024-03-05T14:07:09"}, "midnight": {"__date__": "2023-12-25T00:00:00"},
 "noon": {"__date__": "2021-07-01T12:00:00"}, "text": "Hello world, this is a longer sentence here",
 "multiline": "line one\nline two\n\npara two", "url_text": "Visit http://example.com/x?a=1&b=2 now",
 "dict_with_items": {"items": "key wins", "count": "key too"}, "words": "one  two   three",
 "spaced": "  padded  ", "num_str": "42", "float_str": "3.14159", "mixed": "Don't <stop>",
}
def c(**kw):
    return kw

# 1. variables and lookups
case("var_basic", "<p>{{ name }}</p><p>{{ title }}</p>", c())
case("var_missing", "[{{ missing }}][{{ missing.attr.deep }}][{{ user.nope.nope }}]", c())
case("var_dict_attr", "{{ user.first_name }} {{ user.address.city }} {{ d.a }}", c())
case("var_index", "{{ items.0 }} {{ items.2 }} {{ nested.1.0 }} {{ items.9 }}", c())
case("var_items_call", "{% for k, v in d.items %}{{ k }}={{ v }};{% endfor %}", c())
case("var_key_before_method", "{{ dict_with_items.items }} {{ dict_with_items.count }}", c())
case("var_keys_values", "{% for k in d.keys %}{{ k }}{% endfor %}|{% for v in d.values %}{{ v }}{% endfor %}", c())
case("var_escaping", "{{ html }}|{{ mixed }}|{{ html|safe }}", c())
case("var_literals", "{{ \"lit&<>\" }} {{ 'single' }} {{ 42 }} {{ 1.5 }}", c())
case("var_bools", "{{ t }} {{ fa }} {{ zero }} {{ f }} {{ fint }}", c())
case("var_string_method", "{{ name.upper }} {{ name.lower }}", c())

# 2. filters
case("f_default", "{{ missing|default:\"none\" }}|{{ empty|default:'e' }}|{{ zero|default:\"z\" }}|{{ name|default:\"x\" }}|{{ fa|default:\"F\" }}|{{ items|default:\"i\" }}", c())
case("f_default_literal_safe", "{{ missing|default:\"<b>bold</b>\" }}", c())
case("f_default_if_none", "{{ none|default_if_none:\"N\" }}|{{ empty|default_if_none:\"E\" }}|{{ zero|default_if_none:\"Z\" }}", c())
case("f_length", "{{ items|length }} {{ name|length }} {{ missing|length }} {{ d|length }}", c())
case("f_chain", "{{ title|upper|lower|capfirst }} {{ missing|default:\"abc\"|upper }}", c())
case("f_lower_upper_title", "{{ name|lower }} {{ name|upper }} {{ title|title }} {{ \"it's 1st o'clock\"|title }}", c())
case("f_capfirst", "{{ title|capfirst }}|{{ empty|capfirst }}", c())
case("f_date", "{{ when|date:\"Y-m-d H:i:s\" }}|{{ when|date:\"D, d M Y\" }}|{{ when|date:\"l jS F y, N\" }}|{{ when|date }}|{{ when|date:\"g:i A a P f\" }}", c())
case("f_date_more", "{{ midnight|date:\"P\" }}|{{ noon|date:\"P\" }}|{{ when|date:\"n/j/Y \\a\\t G\" }}|{{ when|date:\"t L w W\" }}|{{ missing|date:\"Y\" }}", c())
case("f_urlencode", "{{ \"a b&c=d/é\"|urlencode }}|{{ \"a/b c\"|urlencode:\"\" }}|{{ name|urlencode }}", c())
case("f_safe_escape", "{{ html|escape }}|{{ html|safe|escape }}|{{ html|force_escape }}", c())
case("f_pluralize", "{{ one }} item{{ one|pluralize }}, {{ three }} item{{ three|pluralize }}, {{ items|length }} cherr{{ items|pluralize:\"y,ies\" }}, {{ zero }} class{{ zero|pluralize:\"es\" }}", c())
case("f_striptags", "{{ html|striptags }}|{{ \"<p>Hello <em>there</em></p>\"|striptags }}", c())
case("f_slice", "{{ items|slice:\":2\"|join:\",\" }}|{{ title|slice:\"4:9\" }}|{{ items|slice:\"::-1\"|join:\",\" }}|{{ title|slice:\"-3:\" }}", c())
case("f_add", "{{ three|add:\"2\" }}|{{ num_str|add:8 }}|{{ \"ab\"|add:\"cd\" }}|{{ items|add:nums|length }}|{{ name|add:3 }}|{{ f|add:1 }}", c())
case("f_urlize", "{{ url_text|urlize }}|{{ \"mail bob@example.com\"|urlize }}", c())
case("f_slugify", "{{ \"Hello World, it's Ünïcode!\"|slugify }}|{{ title|slugify }}", c())
case("f_join", "{{ items|join:\", \" }}|{{ user.tags|join:\" | \" }}", c())
case("f_first_last", "{{ items|first }} {{ items|last }} {{ name|first }} {{ missing|first }}", c())
case("f_floatformat", "{{ f|floatformat }}|{{ fint|floatformat }}|{{ f|floatformat:3 }}|{{ fint|floatformat:2 }}|{{ f|floatformat:\"-3\" }}|{{ neg|floatformat }}|{{ float_str|floatformat:2 }}|{{ 2.5|floatformat:0 }}|{{ missing|floatformat }}", c())
case("f_cut", "{{ title|cut:\" \" }}|{{ name|cut:\"a\" }}", c())
case("f_yesno", "{{ t|yesno }} {{ fa|yesno:\"y,n\" }} {{ none|yesno }} {{ none|yesno:\"y,n\" }} {{ t|yesno:\"on,off,?\" }}", c())
case("f_escapejs", "<script>var s = '{{ mixed|escapejs }}'; var l = '{{ \"a\\nb\"|escapejs }}';</script>", c(**{"mixed": "Don't <stop> \"now\" a=b; c-d\nnext"}))
case("f_divisibleby_wordcount", "{{ three|divisibleby:3 }} {{ three|divisibleby:\"2\" }} {{ text|wordcount }}", c())
case("f_padding", "[{{ \"ab\"|center:7 }}][{{ \"abc\"|center:8 }}][{{ \"ab\"|ljust:5 }}][{{ \"ab\"|rjust:5 }}]", c())
case("f_make_list_stringformat", "{{ \"abc\"|make_list|join:\"-\" }} {{ three|stringformat:\"03d\" }} {{ f|stringformat:\".1f\" }} {{ name|stringformat:\"s\" }} {{ 255|stringformat:\"x\" }}", c())
case("f_in_condition", "{% if items|length > 2 %}many{% endif %}{% if missing|default:\"x\" == \"x\" %} defaulted{% endif %}{% if name|lower == \"ada <lovelace>\" %} lowered{% endif %}", c())
case("f_filter_arg_variable", "{{ missing|default:user.first_name }} {{ items|join:sep }}", c(sep=" + "))
case("f_addslashes", "{{ mixed|addslashes }}", c())

# 3. tags: if
case("if_basic", "{% if t %}T{% else %}F{% endif %}{% if fa %}T{% elif one %}one{% else %}none{% endif %}", c())
case("if_and_or_not", "{% if t and one %}a{% endif %}{% if fa or zero %}b{% else %}c{% endif %}{% if not fa %}d{% endif %}{% if t and not fa or zero %}e{% endif %}{% if fa or t and zero %}f{% endif %}", c())
case("if_in", "{% if \"apple\" in items %}in{% endif %}{% if \"kiwi\" not in items %} notin{% endif %}{% if \"Ada\" in name %} sub{% endif %}{% if \"a\" in d %} key{% endif %}{% if \"x\" in missing %} never{% endif %}", c())
case("if_compare", "{% if three > one %}gt{% endif %}{% if one >= 1 %} ge{% endif %}{% if one < three %} lt{% endif %}{% if three <= 2 %} le{% endif %}{% if one == 1 %} eq{% endif %}{% if one != 1 %} ne{% endif %}{% if name == \"Ada <Lovelace>\" %} streq{% endif %}", c())
case("if_missing", "{% if missing %}yes{% else %}no{% endif %}{% if missing.x.y %}yes{% else %} no{% endif %}{% if missing == none_var %} eq{% endif %}", c())
case("if_none_is", "{% if none is None %}isnone{% endif %}{% if t is not None %} notnone{% endif %}{% if missing is None %} missingnone{% endif %}", c())
case("if_nested", "{% for i in nums %}{% if i > 1 %}{% if i == 3 %}three{% else %}big{% endif %}{% else %}small{% endif %};{% endfor %}", c())

# for
case("for_basic", "<ul>{% for i in items %}<li>{{ forloop.counter }}:{{ i }}</li>{% endfor %}</ul>", c())
case("for_loopvars", "{% for i in items %}{{ forloop.counter0 }}{{ forloop.revcounter }}{{ forloop.revcounter0 }}{% if forloop.first %}F{% endif %}{% if forloop.last %}L{% endif %} {% endfor %}", c())
case("for_empty", "{% for i in missing %}{{ i }}{% empty %}nothing{% endfor %}|{% for i in empty_list %}x{% empty %}empty{% endfor %}", c(empty_list=[]))
case("for_reversed", "{% for i in items reversed %}{{ i }} {% endfor %}", c())
case("for_unpack", "{% for a, b in pairs %}{{ a }}={{ b }} {% endfor %}{% for a,b in nested %}{{ a }}+{{ b }} {% endfor %}", c())
case("for_parentloop", "{% for row in nested %}{% for cell in row %}{{ forloop.parentloop.counter }}.{{ forloop.counter }}={{ cell }} {% endfor %}{% endfor %}", c())
case("for_dict", "{% for k in d %}{{ k }}{% endfor %}", c())
case("for_string", "{% for ch in \"abc\" %}[{{ ch }}]{% endfor %}", c())
case("for_nested_escape", "{% for u in people %}<p>{{ u.name }}{% for t in u.tags %} #{{ t }}{% endfor %}</p>{% endfor %}", c(people=[{"name": "<A>", "tags": ["x&y"]}, {"name": "B", "tags": []}]))

# with
case("with_forms", "{% with a=user.first_name b=\"lit\" %}{{ a }} {{ b }}{% endwith %} {% with user.last_name as ln %}{{ ln }}{% endwith %}", c())
case("with_scoped", "{% with x=\"inner\" %}{{ x }}{% endwith %}[{{ x }}]", c())

# include / extends
partial("_inc_greeting.html", "Hello {{ who|default:\"stranger\" }}{% if extra %} ({{ extra }}){% endif %}!")
partial("_inc_nested.html", "<div>{% include \"./_inc_greeting.html\" %}</div>")
case("include_basic", "{% include \"./_inc_greeting.html\" %}|{% include \"_inc_greeting.html\" %}", c(who="Bob"))
case("include_with", "{% include \"./_inc_greeting.html\" with who=\"Ann\" extra=user.first_name %}|{% include \"./_inc_greeting.html\" %}", c())
case("include_only", "{% include \"./_inc_greeting.html\" with who=\"Ann\" only %}|{% include \"./_inc_greeting.html\" only %}", c(extra="hidden"))
case("include_nested", "{% include \"./_inc_nested.html\" %}", c(who="<Eve>"))
case("include_in_loop", "{% for who in items %}{% include \"./_inc_greeting.html\" %} {% endfor %}", c())
partial("_base.html", "<html><title>{% block title %}Base{% endblock %}</title><body>{% block content %}base content{% endblock content %}<footer>{% block footer %}foot{% endblock %}</footer></body></html>")
partial("_middle.html", "{% extends \"./_base.html\" %}{% block title %}Middle - {{ block.super }}{% endblock %}{% block content %}<main>{% block inner %}middle inner{% endblock %}</main>{% endblock %}")
case("extends_basic", "{% extends \"./_base.html\" %}{% block title %}{{ page.title }}{% endblock %}{% block content %}child {{ name }}{% endblock content %}", c())
case("extends_three_levels", "{% extends \"./_middle.html\" %}{% block title %}Leaf - {{ block.super }}{% endblock %}{% block inner %}leaf inner, {{ block.super }}{% endblock inner %}", c())
case("extends_variable_in_block_loop", "{% extends \"./_base.html\" %}{% block content %}{% for i in items %}{{ i }}{% if not forloop.last %}, {% endif %}{% endfor %}{% endblock %}", c())

# filter tag, comment, autoescape, verbatim, etc
case("filter_tag", "{% filter lower|capfirst %}HELLO <b>World</b>{% endfilter %}|{% filter force_escape %}<i>{{ name }}</i>{% endfilter %}|{% filter cut:\" \" %}a b c{% endfilter %}", c())
case("comment_forms", "a{# inline {{ name }} #}b{% comment %}hidden {{ name }}\n{% if %}\nmore{% endcomment %}c{% comment \"note\" %}x{% endcomment %}d", c())
case("autoescape_off", "{% autoescape off %}{{ html }}{{ name }}{% autoescape on %}{{ html }}{% endautoescape %}{% endautoescape %}{{ html }}", c())
case("autoescape_off_filters", "{% autoescape off %}{{ items|join:\"<br>\" }}{{ html|escape }}{% endautoescape %}", c())
case("load_noop", "{% load i18n %}loaded {{ name }}", c())
case("cycle_plain", "{% for i in items %}<tr class=\"{% cycle 'odd' 'even' %}\">{{ i }}</tr>{% endfor %}", c())
case("cycle_named", "{% for i in items %}{% cycle 'r1' 'r2' as rowcolor silent %}<td class=\"{{ rowcolor }}\">{{ i }}</td>{% endfor %}|{% for i in nums %}{% cycle 'a' 'b' 'c' as abc %}{% endfor %}", c())
case("cycle_variables", "{% for i in items %}{% cycle first_class second_class %} {% endfor %}", c(first_class="<one>", second_class="two"))
case("firstof", "{% firstof missing empty name \"fallback\" %}|{% firstof missing \"<lit>\" %}|{% firstof zero fa %}|{% firstof missing html %}", c())
case("spaceless", "{% spaceless %}\n<p>\n  <a href=\"x\">Foo</a>\n  </p>  {% endspaceless %}", c())
case("verbatim", "{% verbatim %}{{ not_rendered }} {% if %}{% endverbatim %}|{% verbatim myblock %}{% endverbatim %}{% endverbatim myblock %}", c())
case("templatetag", "{% templatetag openblock %} {% templatetag closeblock %} {% templatetag openvariable %} {% templatetag closevariable %} {% templatetag openbrace %}{% templatetag closebrace %} {% templatetag opencomment %} {% templatetag closecomment %}", c())
case("csrf_token", "<form>{% csrf_token %}</form>", c())
case("now_year", "{% now \"Y\" as y %}{% if y|length == 4 %}four-digit year{% endif %}", c())

# text edge cases
case("multiline_tag_is_text", "before {% if t\n %}not a tag{% endif\n %} {{ name\n }} after", c())
case("client_template_passthrough", "<script type=\"text/ak-template\">[% if (x) { %]<b>[%= name %]</b>[% } %]</script>{{ name }}", c())
case("braces_in_text", "function() { return {a: 1}; } {{ one }} {x{y}", c())
case("whitespace_lines", "line1\n  {% if t %}\n  yes\n  {% endif %}\nline5\n", c())
case("unicode", "{{ greeting }} {{ greeting|upper }} {{ greeting|length }}", c(greeting="grüß dich 🌍"))
case("dates_in_loop", "{% for e in events %}{{ e.when|date:\"M j\" }}: {{ e.title }}; {% endfor %}", c(events=[{"when": {"__date__": "2024-01-09T10:00:00"}, "title": "A"}, {"when": {"__date__": "2024-11-30T18:30:00"}, "title": "B&C"}]))
case("deep_nesting", "{% for u in people %}{% with n=u.name %}{% if n %}{% for t in u.tags %}{% if forloop.first %}{{ n|upper }}:{% endif %}{{ t|default:\"-\" }}{% if not forloop.last %},{% endif %}{% empty %}{{ n }} has none{% endfor %}{% endif %}{% endwith %};{% endfor %}", c(people=[{"name": "ann", "tags": ["x", "", "z"]}, {"name": "bo", "tags": []}, {"name": "", "tags": ["q"]}]))
case("realistic_form", """<form method="post" action="/act/">
  <input type="hidden" name="page" value="{{ page.name }}">
  {% for field in fields %}
  <div class="ak-field{% if field.name in errors %} ak-error{% endif %}">
    <label for="id_{{ field.name }}">{{ field.label }}{% if field.required %} *{% endif %}</label>
    <input id="id_{{ field.name }}" name="{{ field.name }}" value="{{ values|default:''|length }}">
  </div>
  {% endfor %}
  {% if page.custom_fields.goal %}<p>Goal: {{ page.custom_fields.goal|add:0 }}</p>{% endif %}
</form>""", c(fields=[{"name": "email", "label": "E-mail", "required": True}, {"name": "zip", "label": "ZIP <code>", "required": False}], errors={"email": ["bad"]}))


# batch 2: trickier constructs
partial("_inc_forloop.html", "[{{ forloop.counter }}:{{ item }}]")
case("include_sees_forloop", "{% for item in items %}{% include \"./_inc_forloop.html\" %}{% endfor %}", c())
case("extends_text_outside_blocks", "{% extends \"./_base.html\" %}ignored text {{ name }}{% block footer %}F{% endblock %} more ignored", c())
case("extends_block_in_if", "{% extends \"./_base.html\" %}{% if fa %}{% block title %}T{% endblock %}{% endif %}", c())
case("print_collections", "{{ items }} | {{ d }} | {{ nested }} | {{ items|slice:\":-1\" }} | {{ empty_list }}", c(empty_list=[]))
case("numbers", "{{ -1 }} {{ 1.0 }} {{ n|add:\"-5\" }} {{ 0.1 }} {{ 2.50 }} {{ big }}", c(big=12345678901))
case("join_string_and_len_number", "{{ \"abc\"|join:\"-\" }}|{{ three|length }}|{{ \"abc\"|slice:\"1\" }}|{{ items|yesno }}", c())
case("nested_filters_block", "{% filter upper %}a{% filter lower %}B{{ name }}{% endfilter %}c{% endfilter %}", c())
case("cycle_nested_loops", "{% for r in nested %}<tr class=\"{% cycle 'a' 'b' %}\">{% for c in r %}<td class=\"{% cycle 'x' 'y' 'z' %}\">{{ c }}</td>{% endfor %}</tr>{% endfor %}", c())
case("conditions_mixed", "{% if \"apple\" in items and not \"kiwi\" in items %}1{% endif %}{% if items|length == 3 or missing %}2{% endif %}{% if user.tags.0 == \"a&b\" %}3{% endif %}{% if not missing.x %}4{% endif %}{% if zero == 0 and empty == \"\" %}5{% endif %}{% if three > \"2\" %}never{% endif %}", c())
case("escaping_in_attrs", "<a title=\"{{ mixed }}\" href=\"/x?n={{ name|urlencode }}&amp;t={{ title|urlencode }}\">{{ user.tags.0|upper }}</a>", c())
case("stringformat_more", "[{{ name|stringformat:\"20s\" }}][{{ three|stringformat:\"-5d\" }}][{{ f|stringformat:\"08.3f\" }}][{{ f|stringformat:\"e\" }}][{{ three|stringformat:\"+d\" }}]", c())
case("date_iso_rfc", "{{ when|date:\"c\" }}|{{ when|date:\"r\" }}|{{ when|date:\"b y o\" }}|{{ when|date:\"\\Y\\e\\s Y\" }}", c())
case("with_and_if_filters", "{% with total=items|length first=items|first %}{% if total > 2 %}{{ first|upper }} of {{ total }}{% endif %}{% endwith %}", c())
case("for_over_none_and_string_var", "{% for x in none %}x{% empty %}none{% endfor %}|{% for ch in num_str %}<{{ ch }}>{% endfor %}", c())
case("default_with_variable_missing", "[{{ missing|default:\"\" }}][{{ empty|default:zero }}][{{ missing|default:user.first_name }}]", c())
case("safe_then_filters", "{{ html|safe|upper }}|{{ html|upper|safe }}|{{ html|safe|cut:\"b\" }}|{{ html|safe|slice:\":3\" }}|{{ html|safe|truncatewords:10 }}", c())
case("firstof_as_and_escaping", "{% firstof none missing \"a&b\" %} {% firstof name %}", c())
case("spaceless_nested_tags", "{% spaceless %}<ul>\n  <li>{{ name }}</li>\n  <li> text </li>\n</ul>{% endspaceless %}", c())
case("comment_multiline_inline_is_text", "a {# not\n a comment #} b", c())
case("templatetag_in_script", "<script>var t = '{% templatetag openvariable %} name {% templatetag closevariable %}';</script>", c())
case("lookup_on_string_and_number", "[{{ name.0 }}][{{ name.missing }}][{{ items.1.0 }}][{{ d.b }}]", c())
case("urlize_www_trailing", "{{ \"see www.example.org, or (http://a.org/x) now.\"|urlize }}", c())
case("title_capfirst_unicode", "{{ \"élan vital\"|title }} {{ \"ßtraße\"|capfirst }} {{ \"o'neil mcdonald 2nd\"|title }}", c())
case("length_unicode_slice", "{{ greeting|slice:\"2:5\" }} {{ greeting|first }} {{ greeting|last }}", c(greeting="grüß dich 🌍"))
case("divisibleby_in_loop", "{% for i in nums %}{% if forloop.counter|divisibleby:2 %}even{% else %}odd{% endif %} {% endfor %}", c())
case("with_legacy_in_loop", "{% for u in people %}{% with u.name as n %}{{ n|default:\"anon\" }}{% endwith %},{% endfor %}", c(people=[{"name": "x"}, {"name": ""}, {}]))

case("widthratio", "<img width=\"{% widthratio three 4 100 %}\"> {% widthratio one zero 10 %} {% widthratio 5 2 1 %} {% widthratio 7 2 1 %} {% widthratio f 100 50 as w %}[{{ w }}]", c())
case("dictsort", "{% for p in people|dictsort:\"name\" %}{{ p.name }}{% endfor %}|{% for p in people|dictsortreversed:\"age\" %}{{ p.age }}{% endfor %}|{% for p in people|dictsort:\"meta.rank\" %}{{ p.name }}{% endfor %}", c(people=[{"name": "b", "age": 3, "meta": {"rank": 2}}, {"name": "a", "age": 9, "meta": {"rank": 3}}, {"name": "c", "age": 1, "meta": {"rank": 1}}]))

case("ifchanged", "{% for p in people %}{% ifchanged p.group %}<h2>{{ p.group }}</h2>{% endifchanged %}{{ p.name }} {% endfor %}|{% for p in people %}{% ifchanged %}[{{ p.group }}]{% else %}-{% endifchanged %}{% endfor %}|{% for r in nested %}{% for c in r %}{% ifchanged r.0 %}*{% endifchanged %}{{ c }}{% endfor %};{% endfor %}", c(people=[{"group": "A", "name": "a1"}, {"group": "A", "name": "a2"}, {"group": "B&C", "name": "b1"}, {"group": "A", "name": "a3"}]))

case("resetcycle", "{% for r in nested %}{% for c in r %}{% cycle 'x' 'y' 'z' %}{% endfor %}{% resetcycle %};{% endfor %}|{% for i in items %}{% cycle 'a' 'b' as ab silent %}{{ ab }}{% if forloop.counter == 2 %}{% resetcycle ab %}{% endif %}{% endfor %}", c())

case("regroup", "{% regroup people by group as groups %}{% for g in groups %}<h3>{{ g.grouper }}</h3>{% for p in g.list %}{{ p.name }} {% endfor %}{% endfor %}|{% regroup missing by x as none_groups %}{{ none_groups|length }}", c(people=[{"group": "A", "name": "a1"}, {"group": "A", "name": "a2"}, {"group": "B&C", "name": "b1"}, {"group": "A", "name": "a3"}]))

os.makedirs("corpus", exist_ok=True)
for stale in os.listdir("corpus"):
    os.remove(os.path.join("corpus", stale))
contexts = {}
for name, (src, ctx) in sorted(cases.items()):
    with open(f"corpus/{name}.html", "w") as fh:
        fh.write(src)
    contexts[f"{name}.html"] = ctx
for name, src in partials.items():
    with open(f"corpus/{name}", "w") as fh:
        fh.write(src)
with open("contexts.json", "w") as fh:
    json.dump({"base": base_ctx, "cases": contexts}, fh, indent=1, ensure_ascii=False, sort_keys=True)
    fh.write("\n")
print(len(cases), "cases,", len(partials), "partials")
