/*
 * Placard's actionkit.js (SPEC T4, P8, P9): the browser side of action forms, with the
 * names an ActionKit templateset expects. No dependencies; jQuery is used only when present
 * (to trigger the jQuery form of the privacy event).
 *
 *   <script src="/resources/actionkit.js"></script>
 *   <script>actionkit.forms.initForm('act');</script>
 *
 * initForm may be called before the form is fully parsed: it waits for the DOM. Everything
 * here is an enhancement: without this script (or before the context has loaded) the form
 * posts as the server rendered it, and the privacy block stays visible and enabled.
 *
 * Public names: actionkit.forms.initForm(name), actionkit.forms.contextRoot (default
 * '/context/'), actionkit.forms.onContextLoaded(json) (the JSONP callback),
 * actionkit.forms.validate(form), actionkit.forms.updatePrivacy(form), actionkit.form (the
 * last initialized form) and actionkit.context (the last context received).
 *
 * The context (JSONP, GET <contextRoot><page>?callback=actionkit.forms.onContextLoaded&...):
 *   { "page": "save-the-bees",
 *     "user": null | { "first_name": "…", "country": "…", … },
 *     "akid": ".3.jcWz_1" (optional),
 *     "prefill": { "<field>": "<value>", … },
 *     "required": ["email", "first_name", …],
 *     "privacy": { "enabled": true, "countries": ["Austria", …],
 *                  "show_if": "" | "in_country" | "missing", "user_has_active_record": false },
 *     "progress": { "goal": 100, "current": 42 },
 *     "messages": { "errors_heading": "…", "error_missing": "…", "error_email:invalid": "…",
 *                   "error_<field>:missing": "…", … } (optional; English defaults below) }
 */
(function (window, document) {
  'use strict';

  var actionkit = window.actionkit = window.actionkit || {};
  var forms = actionkit.forms = actionkit.forms || {};
  if (forms.placardVersion) {
    return; // loaded twice: the first copy already handles every form
  }
  forms.placardVersion = 1;
  if (!forms.contextRoot) {
    forms.contextRoot = '/context/';
  }

  var PRIVACY_EVENT = 'actionkit.privacyRequirementChanged';
  var CALLBACK = 'actionkit.forms.onContextLoaded';
  var DEFAULT_MESSAGES = {
    'errors_heading': 'Please correct the following',
    'error_missing': 'This field is required.',
    'error_email:missing': 'Please enter your e-mail address.',
    'error_email:invalid': 'E-mail address is invalid.',
    'error_privacy:missing': 'We need more information to process your data.'
  };
  // Looser than the server's check (which decides): no spaces, one @, and a domain of two or
  // more non-empty dot-separated labels.
  var EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

  var states = []; // one per initialized form

  // ---------------------------------------------------------------- small DOM helpers

  function each(list, fn) {
    for (var i = 0; i < list.length; i++) {
      fn(list[i], i);
    }
  }

  function setShown(el, shown, display) {
    if (!el) {
      return;
    }
    el.hidden = !shown;
    el.style.display = shown ? (display || '') : 'none';
  }

  function byId(form, id) {
    return form.ownerDocument.getElementById(id);
  }

  function fieldsNamed(form, name) {
    var found = [];
    each(form.elements, function (el) {
      if (el.name === name) {
        found.push(el);
      }
    });
    return found;
  }

  function enabled(els) {
    return els.filter(function (el) { return !el.disabled; });
  }

  function trim(s) {
    return String(s == null ? '' : s).replace(/^\s+|\s+$/g, '');
  }

  function sameCountry(a, b) {
    return trim(a).toLowerCase() === trim(b).toLowerCase() && trim(a) !== '';
  }

  function dispatch(form, name, detail) {
    var event;
    if (typeof window.CustomEvent === 'function') {
      event = new window.CustomEvent(name, { detail: detail, bubbles: true });
    } else {
      event = document.createEvent('CustomEvent');
      event.initCustomEvent(name, true, false, detail);
    }
    form.dispatchEvent(event);
  }

  // Disables every control in `container`, remembering which ones it disabled, so that
  // enabling again leaves controls the template disabled itself alone.
  function setControlsEnabled(container, on) {
    each(container.querySelectorAll('input, select, textarea, button'), function (el) {
      if (on) {
        if (el.getAttribute('data-ak-disabled') === '1') {
          el.disabled = false;
          el.removeAttribute('data-ak-disabled');
        }
      } else if (!el.disabled) {
        el.disabled = true;
        el.setAttribute('data-ak-disabled', '1');
      }
    });
  }

  // The page's own (localized) texts first, the specific key before the general one; then
  // the English defaults.
  function message(state, key, fallbackKey) {
    var own = (state.context && state.context.messages) || {};
    return own[key] || own[fallbackKey] || DEFAULT_MESSAGES[key] || DEFAULT_MESSAGES[fallbackKey] || '';
  }

  // ---------------------------------------------------------------- setup

  function findForm(name) {
    var form = document.forms[name];
    if (form && form.tagName === 'FORM') {
      return form;
    }
    return document.querySelector('form[name="' + name + '"]') || document.getElementById(name);
  }

  function stateFor(form) {
    for (var i = 0; i < states.length; i++) {
      if (states[i].form === form) {
        return states[i];
      }
    }
    return null;
  }

  function setUp(formName) {
    var form = findForm(formName);
    if (!form || form.tagName !== 'FORM') {
      return;
    }
    actionkit.form = form;
    if (stateFor(form)) {
      return;
    }
    var state = {
      form: form,
      name: formName,
      context: null,
      // Without script the block is shown and enabled: that is the state we start from.
      privacyShown: form.querySelector('.ak-privacy') !== null
    };
    states.push(state);

    form.addEventListener('change', function (e) {
      var target = e.target;
      if (target && target.name === 'country') {
        updatePrivacy(state);
      }
      if (target && target.name === 'privacy') {
        updateReallyOptOut(state);
      }
    });
    form.addEventListener('input', function (e) {
      if (e.target && e.target.name === 'country' && e.target.tagName !== 'SELECT') {
        updatePrivacy(state);
      }
    });
    form.addEventListener('submit', function (e) {
      if (!validate(state)) {
        e.preventDefault();
      }
    });
    updateReallyOptOut(state);
    requestContext(state);
  }

  function pageName(form) {
    var input = form.elements.page || form.querySelector('input[name="page"]');
    return input && input.value ? input.value : '';
  }

  function decode(s) {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch (e) {
      return '';
    }
  }

  function queryArg(name) {
    var pairs = window.location.search.replace(/^\?/, '').split('&');
    for (var i = 0; i < pairs.length; i++) {
      var kv = pairs[i].split('=');
      if (kv.length > 1 && decode(kv[0]) === name) {
        return decode(kv.slice(1).join('='));
      }
    }
    return '';
  }

  function requestContext(state) {
    var page = pageName(state.form);
    if (!page) {
      return;
    }
    state.page = page;
    var url = forms.contextRoot + encodeURIComponent(page) + '?callback=' + encodeURIComponent(CALLBACK) +
      '&form_name=' + encodeURIComponent(state.name);
    var akid = queryArg('akid');
    if (akid) {
      url += '&akid=' + encodeURIComponent(akid);
    }
    var script = document.createElement('script');
    script.src = url;
    script.async = true;
    // A failed request leaves the form as the server rendered it.
    script.onload = script.onerror = function () {
      if (script.parentNode) {
        script.parentNode.removeChild(script);
      }
    };
    (document.head || document.documentElement).appendChild(script);
  }

  // ---------------------------------------------------------------- the context

  forms.onContextLoaded = function (context) {
    if (!context || typeof context !== 'object') {
      return;
    }
    actionkit.context = context;
    each(states, function (state) {
      if (!state.context && (!context.page || context.page === state.page)) {
        applyContext(state, context);
      }
    });
  };

  function applyContext(state, context) {
    var form = state.form;
    state.context = context;
    var user = context.user || null;

    var known = byId(form, 'known_user');
    var unknown = byId(form, 'unknown_user');
    setShown(known, !!user);
    setShown(unknown, !user);
    // Hidden fields are not submitted or validated (the user is identified by akid).
    if (unknown) {
      setControlsEnabled(unknown, !user);
    }
    if (known) {
      setControlsEnabled(known, !!user);
    }
    var nameEl = byId(form, 'known_user_name');
    if (nameEl && user) {
      nameEl.textContent = trim((user.first_name || '') + ' ' + (user.last_name || '')) || user.email || '';
    }
    if (context.akid && user) {
      var akidInput = form.querySelector('input[name="akid"]');
      if (!akidInput) {
        akidInput = document.createElement('input');
        akidInput.type = 'hidden';
        akidInput.name = 'akid';
        form.appendChild(akidInput);
      }
      akidInput.value = context.akid;
    }

    prefill(form, context.prefill || {});
    showProgress(form, context.progress);
    updatePrivacy(state);
    updateReallyOptOut(state);
  }

  function prefill(form, values) {
    for (var name in values) {
      if (!Object.prototype.hasOwnProperty.call(values, name) || values[name] == null) {
        continue;
      }
      var value = String(values[name]);
      each(fieldsNamed(form, name), function (el) {
        var type = (el.type || '').toLowerCase();
        if (type === 'radio' || type === 'checkbox') {
          if (el.value === value) {
            el.checked = true;
          }
        } else if (el.tagName === 'SELECT') {
          if (!el.value) {
            each(el.options, function (opt) {
              if (opt.value === value || sameCountry(opt.value, value)) {
                el.value = opt.value;
              }
            });
          }
        } else if (type !== 'hidden' && type !== 'submit' && type !== 'button' && !el.value) {
          el.value = value;
        }
      });
    }
  }

  function showProgress(form, progress) {
    if (!progress) {
      return;
    }
    var doc = form.ownerDocument;
    var goal = Number(progress.goal) || 0;
    var current = Number(progress.current) || 0;
    each(doc.querySelectorAll('.ak-progress-current'), function (el) {
      el.textContent = current.toLocaleString();
    });
    each(doc.querySelectorAll('.ak-progress-goal'), function (el) {
      el.textContent = goal.toLocaleString();
    });
    each(doc.querySelectorAll('progress.ak-progress'), function (el) {
      el.max = goal || 1;
      el.value = Math.min(current, goal || current);
    });
    each(doc.querySelectorAll('.ak-progress-bar'), function (el) {
      el.style.width = (goal ? Math.min(100, Math.round(100 * current / goal)) : 0) + '%';
    });
  }

  // ---------------------------------------------------------------- privacy (SPEC P9)

  function selectedCountry(form) {
    var value = '';
    each(enabled(fieldsNamed(form, 'country')), function (el) {
      var type = (el.type || '').toLowerCase();
      if ((type === 'radio' || type === 'checkbox') && !el.checked) {
        return;
      }
      if (!value) {
        value = trim(el.value);
      }
    });
    return value;
  }

  function isListed(privacy, country) {
    var list = privacy.countries || [];
    for (var i = 0; i < list.length; i++) {
      if (sameCountry(list[i], country)) {
        return true;
      }
    }
    return false;
  }

  // Whether the block should show, from the context and the selected country.
  //
  // A form that submits a country shows the block exactly when that country is listed, for
  // recognized users too: a listed country on the action is what "require on actions" (SPEC
  // P11) checks, so hiding the block then would only get the action rejected. When no country
  // is submitted (no field, a blank one, or ActionKit's #unknown_user box hidden for a
  // recognized user), a recognized user sees the block only when privacy_show_if holds for the
  // stored country: "in_country" = it is listed; "missing" = it is listed and the user has no
  // active record (SPEC P9). Anonymous visitors without a country see nothing.
  function privacyWanted(state) {
    var context = state.context;
    var privacy = context.privacy;
    if (!privacy.enabled) {
      return false;
    }
    var selected = selectedCountry(state.form);
    if (selected) {
      return isListed(privacy, selected);
    }
    var user = context.user;
    if (!user || !isListed(privacy, user.country)) {
      return false;
    }
    if (privacy.show_if === 'in_country') {
      return true;
    }
    if (privacy.show_if === 'missing') {
      return !privacy.user_has_active_record;
    }
    return false;
  }

  function updatePrivacy(state) {
    if (!state.context || !state.context.privacy) {
      return; // not known yet: leave the block as rendered
    }
    var form = state.form;
    var blocks = form.querySelectorAll('.ak-privacy');
    if (!blocks.length) {
      return;
    }
    var shown = privacyWanted(state);
    each(blocks, function (block) {
      setShown(block, shown);
      setControlsEnabled(block, shown);
      if (!shown) {
        clearFieldErrors(form, block);
      }
    });
    // The requirement marker may sit outside the block in custom templates.
    each(form.querySelectorAll('input[type="hidden"][name="required"][value="privacy"]'), function (el) {
      if (shown && el.getAttribute('data-ak-disabled') === '1') {
        el.disabled = false;
        el.removeAttribute('data-ak-disabled');
      } else if (!shown && !el.disabled) {
        el.disabled = true;
        el.setAttribute('data-ak-disabled', '1');
      }
    });
    if (shown !== state.privacyShown) {
      state.privacyShown = shown;
      dispatch(form, PRIVACY_EVENT, { required: shown });
      if (window.jQuery) {
        window.jQuery(form).trigger(PRIVACY_EVENT, [shown]);
      }
    }
  }

  function updateReallyOptOut(state) {
    var form = state.form;
    var really = byId(form, 'really-opt-out');
    if (!really) {
      return;
    }
    var optout = byId(form, 'privacy_optout');
    setShown(really, !!(optout && optout.checked && !optout.disabled), 'block');
  }

  // ---------------------------------------------------------------- validation (SPEC T4)

  function requiredFields(state) {
    var names = [];
    function add(name) {
      name = trim(name);
      if (name && names.indexOf(name) < 0) {
        names.push(name);
      }
    }
    var fromContext = state.context && state.context.required;
    each(fromContext || [], add);
    each(enabled(fieldsNamed(state.form, 'required')), function (el) {
      each(String(el.value).split(','), add);
    });
    each(state.form.elements, function (el) {
      if (el.required && !el.disabled && el.name) {
        add(el.name);
      }
    });
    // In the order the fields appear in the form (absent ones last).
    var position = function (name) {
      for (var i = 0; i < state.form.elements.length; i++) {
        if (state.form.elements[i].name === name) {
          return i;
        }
      }
      return state.form.elements.length;
    };
    return names.map(function (name, i) { return [position(name), i, name]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; })
      .map(function (entry) { return entry[2]; });
  }

  function hasValue(els) {
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var type = (el.type || '').toLowerCase();
      if (type === 'radio' || type === 'checkbox') {
        if (el.checked) {
          return true;
        }
      } else if (trim(el.value) !== '') {
        return true;
      }
    }
    return false;
  }

  function fieldbox(form, field) {
    return byId(form, 'ak-fieldbox-' + field) || byId(form, 'ak-fieldbox-' + field + '_radio');
  }

  // The field's label without its "required" marker; for a radio or checkbox group, the
  // group's legend (each control's own label is one of the choices).
  function labelText(form, field, els) {
    var el = els[0];
    var type = el ? (el.type || '').toLowerCase() : '';
    var label = null;
    if (type === 'radio' || type === 'checkbox') {
      var box = fieldbox(form, field);
      label = box && box.querySelector('legend');
    } else if (el && el.id) {
      label = form.querySelector('label[for="' + el.id + '"]');
    }
    if (!label) {
      return '';
    }
    var copy = label.cloneNode(true);
    each(copy.querySelectorAll('.ak-required'), function (marker) {
      marker.parentNode.removeChild(marker);
    });
    return trim(copy.textContent);
  }

  function clearFieldErrors(form, within) {
    each((within || form).querySelectorAll('.ak-field-error[data-ak-client]'), function (el) {
      el.parentNode.removeChild(el);
    });
    each((within || form).querySelectorAll('.ak-error[data-ak-client]'), function (el) {
      el.className = el.className.replace(/(^|\s)ak-error(?=\s|$)/g, ' ').replace(/^\s+|\s+$/g, '');
      el.removeAttribute('data-ak-client');
    });
    each((within || form).querySelectorAll('[aria-invalid][data-ak-client-invalid]'), function (el) {
      el.removeAttribute('aria-invalid');
      el.removeAttribute('data-ak-client-invalid');
    });
  }

  function markField(form, field, els, text) {
    var box = fieldbox(form, field);
    if (box) {
      if (!/(^|\s)ak-error(\s|$)/.test(box.className)) {
        box.className = trim(box.className + ' ak-error');
        box.setAttribute('data-ak-client', '1');
      }
      var p = document.createElement('p');
      p.className = 'ak-field-error';
      p.setAttribute('data-ak-client', '1');
      var span = document.createElement('span');
      span.textContent = text;
      p.appendChild(span);
      var anchor = box.querySelector('label, legend');
      if (anchor && anchor.parentNode === box) {
        box.insertBefore(p, anchor.nextSibling);
      } else {
        box.insertBefore(p, box.firstChild);
      }
    }
    each(els, function (el) {
      if (!el.hasAttribute('aria-invalid')) {
        el.setAttribute('aria-invalid', 'true');
        el.setAttribute('data-ak-client-invalid', '1');
      }
    });
  }

  function showErrors(state, lines) {
    var form = state.form;
    var box = byId(form, 'ak-errors');
    if (!box) {
      box = document.createElement('div');
      box.id = 'ak-errors';
      box.className = 'ak-errors';
      box.setAttribute('role', 'alert');
      box.setAttribute('data-ak-client', '1');
      form.insertBefore(box, form.firstChild);
    }
    var list = box;
    if (box.tagName !== 'UL' && box.tagName !== 'OL') {
      box.innerHTML = '';
      var heading = document.createElement('h2');
      heading.className = 'ak-errors-heading';
      heading.textContent = message(state, 'errors_heading', 'errors_heading');
      box.appendChild(heading);
      list = document.createElement('ul');
      box.appendChild(list);
    } else {
      list.innerHTML = '';
    }
    each(lines, function (line) {
      var li = document.createElement('li');
      li.textContent = line;
      list.appendChild(li);
    });
    if (!box.hasAttribute('tabindex')) {
      box.setAttribute('tabindex', '-1');
    }
    setShown(box, true);
    box.focus();
  }

  function validate(state) {
    var form = state.form;
    clearFieldErrors(form);
    var problems = [];
    var lines = [];
    function problem(field, els, text) {
      var label = labelText(form, field, els);
      problems.push(field);
      lines.push(label ? label + ': ' + text : text);
      markField(form, field, els, text);
    }
    each(requiredFields(state), function (field) {
      var els = enabled(fieldsNamed(form, field));
      if (!els.length || hasValue(els)) {
        return; // absent or disabled fields are neither submitted nor checked
      }
      problem(field, els, message(state, 'error_' + field + ':missing', 'error_missing'));
    });
    if (problems.indexOf('email') < 0) {
      var emails = enabled(fieldsNamed(form, 'email'));
      if (emails.length && hasValue(emails) && !EMAIL_RE.test(trim(emails[0].value))) {
        problem('email', emails, message(state, 'error_email:invalid', 'error_email:invalid'));
      }
    }
    if (lines.length) {
      showErrors(state, lines);
      return false;
    }
    var box = byId(form, 'ak-errors');
    if (box && box.getAttribute('data-ak-client') === '1') {
      setShown(box, false);
    }
    return true;
  }

  // ---------------------------------------------------------------- public API

  forms.initForm = function (formName) {
    formName = formName || 'act';
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', function () { setUp(formName); });
    } else {
      setUp(formName);
    }
  };

  forms.validate = function (form) {
    var state = stateFor(form || actionkit.form);
    return state ? validate(state) : true;
  };

  forms.updatePrivacy = function (form) {
    var state = stateFor(form || actionkit.form);
    if (state) {
      updatePrivacy(state);
      updateReallyOptOut(state);
    }
  };
})(window, document);
