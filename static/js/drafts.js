/*
 * No typed word is lost.
 *
 * 1. Local drafts. Every text field of a form marked data-draft="<record>"
 *    (e.g. "goal:<uuid>") is copied to localStorage as the user types, under
 *    "iop-draft|<user>|<record>|<field name>|<version>" with {text, at, version}.
 *    A draft is removed once the server confirmed the save (or when the page
 *    shows the same text), on logging out, and after seven days. A page that opens with a draft differing from the
 *    server's text offers it back: restore or discard.
 * 2. htmx failures are shown in place (the form's status area, role=status):
 *    session ended (401 + X-Login-Required, with a link that logs in in a new
 *    tab), refused security token (403 + X-CSRF-Token: the fresh token is
 *    taken and the save sent once more), server error, no network. Nothing
 *    is swapped in, the focus and the text stay where they are.
 *    A record shown as reading text with a link that brings its form in
 *    (data-draft-opener="<record>", hx-get) is opened at once when a draft
 *    of it is kept, so that the draft is offered back there. An answer
 *    that closes a form again (the record's reading text) is not swapped
 *    in while the form holds text typed after it was sent.
 * 3. Leaving the page while a draft is not confirmed, or after typing in
 *    any other form that was not sent, asks first. A page
 *    marked data-draft-saved="<record>" (a confirmation page reached after
 *    the texts were saved) confirms that record's drafts.
 *
 * Strings come translated from #draft-texts (data-* rendered by base.html).
 */
(function () {
  "use strict";

  var PREFIX = "iop-draft|";
  var MAX_AGE_MS = 7 * 24 * 3600 * 1000; // then a draft is dropped, whoever wrote it
  var FIELDS = "textarea[name], input[type=text][name]";
  var texts = {};
  var user = "";
  var csrfToken = null;
  var pending = {}; // storage key -> true: written here, not confirmed yet
  var leaving = false;
  var SENT = "iop-draft-sent"; // sessionStorage: the record of a form sent the ordinary way

  function t(name) {
    return texts[name] || "";
  }

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function read(key) {
    var s = storage();
    try {
      return s ? JSON.parse(s.getItem(key)) : null;
    } catch (e) {
      return null;
    }
  }

  function write(key, value) {
    var s = storage();
    try {
      if (s) s.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* storage full or refused: the server save still runs */
    }
  }

  function remove(key) {
    var s = storage();
    if (s) s.removeItem(key);
    delete pending[key];
  }

  function keys(prefix) {
    var s = storage();
    var found = [];
    if (!s) return found;
    for (var i = 0; i < s.length; i++) {
      var k = s.key(i);
      if (k && k.indexOf(prefix) === 0) found.push(k);
    }
    return found;
  }

  function draftForm(el) {
    return el && el.closest ? el.closest("form[data-draft]") : null;
  }

  function versionInput(form) {
    return form.querySelector('input[type=hidden][name$="version"]');
  }

  function fieldPrefix(form, field) {
    return PREFIX + user + "|" + form.getAttribute("data-draft") + "|" + field.name + "|";
  }

  function fieldsOf(form) {
    return Array.prototype.slice.call(form.querySelectorAll(FIELDS));
  }

  /* The newest stored draft of FIELD: {key, text, at, version} or null. */
  function newestDraft(form, field) {
    var best = null;
    keys(fieldPrefix(form, field)).forEach(function (k) {
      var d = read(k);
      if (!d || typeof d.text !== "string" || Date.now() - d.at > MAX_AGE_MS) {
        remove(k);
        return;
      }
      if (!best || d.at > best.at) best = { key: k, text: d.text, at: d.at, version: d.version };
    });
    return best;
  }

  function forgetField(form, field) {
    keys(fieldPrefix(form, field)).forEach(remove);
  }

  function remember(form, field) {
    var v = versionInput(form);
    var version = v ? v.value : "";
    var key = fieldPrefix(form, field) + version;
    write(key, { text: field.value, at: Date.now(), version: version });
    pending[key] = true;
  }

  /* --- messages in place -------------------------------------------- */

  function statusArea(elt) {
    var form = elt.closest ? elt.closest("form") : null;
    var scope = form || elt.parentElement || document.body;
    var own = scope.querySelector(".draft-message");
    if (own) return own;
    var targetSel = form && form.getAttribute("hx-target");
    if (targetSel && targetSel.charAt(0) === "#") {
      var target = document.getElementById(targetSel.slice(1));
      if (target && form.contains(target) && target.getAttribute("role") === "status") return target;
    }
    var box = document.createElement("div");
    box.className = "draft-message";
    box.setAttribute("role", "status");
    if (form) form.appendChild(box);
    else elt.insertAdjacentElement("afterend", box);
    return box;
  }

  function say(elt, message, link) {
    var box = statusArea(elt);
    box.textContent = "";
    var span = document.createElement("span");
    span.className = "draft-error";
    span.textContent = message;
    box.appendChild(span);
    if (link) {
      span.appendChild(document.createTextNode(" "));
      var a = document.createElement("a");
      a.className = "ds-link";
      a.href = link;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = t("relogin");
      span.appendChild(a);
    }
  }

  /* --- the restore offer -------------------------------------------- */

  function formatTime(at) {
    var d = new Date(at);
    var lang = document.documentElement.lang || undefined;
    if (lang === "nn") lang = ["nn", "nb"]; // a browser without nynorsk dates writes them as bokmål, not in its own language
    var sameDay = d.toDateString() === new Date().toDateString();
    var opts = sameDay
      ? { hour: "2-digit", minute: "2-digit" }
      : { day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" };
    try {
      return d.toLocaleString(lang, opts);
    } catch (e) {
      return d.toLocaleString();
    }
  }

  function offer(form) {
    if (form.hasAttribute("data-draft-settled")) {
      // A conflict just settled by the person's choice: what the form shows is
      // what they chose, and the text they had typed is no longer unsaved.
      form.removeAttribute("data-draft-settled");
      fieldsOf(form).forEach(function (field) { forgetField(form, field); });
      return;
    }
    if (form.querySelector(".draft-offer")) return;
    var found = [];
    // A form shown again with errors or a conflict holds text the server
    // does not have yet: its drafts stay (and leaving the page asks). An
    // error may be a field's only (a date before another, a criterion too
    // long), while the text typed elsewhere in the form is not saved either.
    var unsettled = form.querySelector('[role="alert"], [aria-invalid="true"], .ds-validation-message[data-color="danger"]');
    fieldsOf(form).forEach(function (field) {
      var d = newestDraft(form, field);
      if (!d) return;
      if (d.text !== field.value) found.push({ field: field, draft: d });
      else if (unsettled) pending[d.key] = true;
      else forgetField(form, field);
    });
    if (!found.length) return;
    var newest = Math.max.apply(null, found.map(function (f) { return f.draft.at; }));
    var box = document.createElement("div");
    box.className = "ds-alert draft-offer";
    box.setAttribute("data-color", "warning");
    box.setAttribute("role", "status");
    var p = document.createElement("p");
    p.className = "ds-paragraph";
    p.textContent = t("offer").replace("{time}", formatTime(newest));
    box.appendChild(p);
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "ds-button";
    restore.setAttribute("data-size", "sm");
    restore.textContent = t("restore");
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "ds-button";
    discard.setAttribute("data-size", "sm");
    discard.setAttribute("data-variant", "secondary");
    discard.textContent = t("discard");
    var actions = document.createElement("div"); // the two choices side by side
    actions.className = "draft-offer__actions";
    actions.appendChild(restore);
    actions.appendChild(discard);
    box.appendChild(actions);
    form.insertBefore(box, form.firstChild);

    restore.addEventListener("click", function () {
      // Post against the version the text was written on: the server decides
      // whether somebody else changed the same field since.
      var v = versionInput(form);
      var versions = found.map(function (f) { return parseInt(f.draft.version, 10); }).filter(function (n) { return !isNaN(n); });
      if (v && versions.length) v.value = String(Math.min.apply(null, versions));
      found.forEach(function (f) {
        f.field.value = f.draft.text;
        forgetField(form, f.field);
        remember(form, f.field);
      });
      box.remove();
      found[0].field.focus();
      if (form.hasAttribute("hx-post") && window.htmx) window.htmx.trigger(form, "submit");
    });
    discard.addEventListener("click", function () {
      found.forEach(function (f) { forgetField(form, f.field); });
      box.remove();
    });
  }

  /* --- wiring --------------------------------------------------------- */

  document.addEventListener("input", function (evt) {
    var form = draftForm(evt.target);
    if (form && evt.target.matches(FIELDS)) remember(form, evt.target);
  });

  /* An action elsewhere on the page (publish, archive, log hours) sent while
   * a text is not saved yet: the text is saved first and the action sent
   * after; when the save does not go through, nothing is sent and the page
   * says so. Runs before htmx and before the page is left. */
  function typedHere(form) {
    return fieldsOf(form).some(function (f) {
      var prefix = fieldPrefix(form, f);
      return Object.keys(pending).some(function (k) { return k.indexOf(prefix) === 0 && read(k) !== null; });
    });
  }

  function unsavedForm(form) {
    var trigger = form.getAttribute("hx-trigger") || "submit";
    if (trigger.indexOf("submit") === -1) return false;
    return typedHere(form);
  }

  /* Forms that save only when sent (no hx-post) holding text typed here. */
  function unsentForms(except) {
    return Array.prototype.filter.call(document.querySelectorAll("form[data-draft]:not([hx-post])"), function (f) {
      return f !== except && typedHere(f);
    });
  }

  function unsavedForms() {
    return Array.prototype.filter.call(document.querySelectorAll("form[data-draft][hx-post]"), unsavedForm);
  }

  /* A form showing a conflict box: only the person's own press on Save
   * sends their choice; it is never sent for them (leaving the page,
   * another action), or the text they were shown would be overwritten. */
  function conflictOpen(form) {
    return !!form.querySelector(".iop-conflict");
  }

  /* Saves the UNSAVED forms, then calls NEXT; when a save does not go
   * through, or a form waits for a conflict to be settled, nothing more
   * happens and FAILED is called. */
  function saveFirst(unsaved, next, failed) {
    if (unsaved.some(conflictOpen)) {
      failed();
      return;
    }
    var left = unsaved.length;
    var ok = true;
    unsaved.forEach(function (form) {
      function done(e) {
        if (e.detail.elt !== form) return;
        form.removeEventListener("htmx:afterRequest", done);
        if (!e.detail.successful || !confirmed(e.detail.xhr)) ok = false;
        left -= 1;
        if (left) return;
        if (ok) next();
        else failed();
      }
      form.addEventListener("htmx:afterRequest", done);
      window.htmx.trigger(form, "submit");
    });
  }

  document.addEventListener(
    "submit",
    function (evt) {
      var action = evt.target;
      if (!action.matches) return;
      // Another form sent (closing an investigation, say) while a form that
      // saves only when sent holds typed text: nothing is sent, the page says so.
      var unsent = action.matches("form[data-logout]") ? [] : unsentForms(action);
      if (unsent.length) {
        evt.preventDefault();
        evt.stopImmediatePropagation();
        say(action, t("saveFirst"));
        return;
      }
      if (!window.htmx || action.matches("form[data-draft]")) return;
      if (action._afterSave) {
        action._afterSave = false;
        return;
      }
      var unsaved = unsavedForms();
      if (!unsaved.length) return;
      evt.preventDefault();
      evt.stopImmediatePropagation();
      var submitter = evt.submitter || null;
      saveFirst(
        unsaved,
        function () {
          action._afterSave = true;
          if (action.requestSubmit) action.requestSubmit(submitter);
          else action.submit();
        },
        function () {
          say(action, t("unsavedFirst"));
        }
      );
    },
    true
  );

  /* A link to another page followed while a text is not saved yet (the
   * menu, a breadcrumb): the text is saved first and the link followed
   * after, without asking; when the save does not go through, the page
   * stays and says so. Links that open elsewhere or only move on the page
   * are left be. */
  document.addEventListener(
    "click",
    function (evt) {
      if (evt.defaultPrevented || evt.button !== 0 || evt.metaKey || evt.ctrlKey || evt.shiftKey || evt.altKey) return;
      var link = evt.target.closest ? evt.target.closest("a[href]") : null;
      if (!window.htmx || !link || link.hasAttribute("download") || (link.target && link.target !== "_self")) return;
      if (link.matches("[hx-get], [hx-post], [data-hx-get], [data-hx-post]")) return;
      var to = new URL(link.href, location.href);
      if (to.protocol !== "http:" && to.protocol !== "https:") return;
      if (to.origin === location.origin && to.pathname === location.pathname && to.search === location.search && to.hash) return;
      var unsaved = unsavedForms();
      if (!unsaved.length) return;
      evt.preventDefault();
      saveFirst(
        unsaved,
        function () {
          leaving = true;
          location.assign(to.href);
        },
        function () {
          // The form says why (a conflict, an error, no connection): shown, not left.
          var refused = unsaved.filter(function (form) { return form._draftFailed || form.querySelector("[role=alert], .draft-error"); })[0];
          var box = refused && refused.querySelector(".iop-conflict"); // the choice waits there
          if (box) box.scrollIntoView({ block: "start" });
          else statusArea(refused || unsaved[0]).scrollIntoView({ block: "center" });
        }
      );
    },
    true
  );

  /* The page left another way (an address typed, back, the tab closed)
   * after the person chose to leave: what is not saved yet is sent once
   * more, as the page goes, and the local draft stays until the server's
   * text is the same. */
  window.addEventListener("pagehide", function () {
    if (leaving || !window.fetch) return; // a form sent the ordinary way, or the texts saved before a link
    unsavedForms().forEach(function (form) {
      if (conflictOpen(form)) return; // the choice is the person's: the local draft is offered back instead
      var body = new FormData(form);
      if (csrfToken) body.set("csrfmiddlewaretoken", csrfToken);
      try {
        window
          .fetch(form.getAttribute("hx-post"), {
            method: "POST",
            body: body,
            keepalive: true,
            credentials: "same-origin",
            headers: { "X-CSRFToken": csrfToken || "", "HX-Request": "true" },
          })
          .catch(function () {
            /* not sent: the draft is offered back when the page opens again */
          });
      } catch (e) {
        /* too large to send as the page goes: likewise */
      }
    });
  });

  document.addEventListener("submit", function (evt) {
    // A form sent the ordinary way leaves the page on purpose; htmx forms
    // have their submit prevented before it gets here.
    if (!evt.defaultPrevented) {
      leaving = true;
      var sent = draftForm(evt.target);
      if (sent && sent === evt.target) {
        try {
          window.sessionStorage.setItem(SENT, sent.getAttribute("data-draft"));
        } catch (e) {
          /* no session storage: the drafts stay until the form shows the same text */
        }
      }
    }
    var logout = evt.target.matches && evt.target.matches("form[data-logout]");
    if (logout && Object.keys(pending).length && !window.confirm(t("logout"))) {
      evt.preventDefault();
      leaving = false;
      return;
    }
    if (logout) {
      keys(PREFIX + user + "|").forEach(remove);
      try {
        // htmx remembers the last address it put in the history (a search: a pupil's name).
        window.sessionStorage.removeItem("htmx-current-path-for-history");
      } catch (e) {
        /* no session storage: nothing was kept there */
      }
    }
  });

  /* Forms without drafts (logging hours, adding a record): typing marks the
   * form, and leaving the page before sending it asks too. Not for forms
   * that only search (GET), log in or out (data-no-leave-warning). */
  var TYPED = "textarea, input[type=text], input[type=number], input[type=date], input[type=email], input:not([type])";
  document.addEventListener("input", function (evt) {
    var form = evt.target.closest ? evt.target.closest("form") : null;
    if (!form || !evt.target.matches(TYPED) || form.matches("[data-draft], [data-no-leave-warning], [data-logout]")) return;
    if ((form.getAttribute("method") || "get").toLowerCase() === "post") form._typedIn = true;
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt && evt.detail.elt.closest ? evt.detail.elt.closest("form") : null;
    if (form && evt.detail.successful) form._typedIn = false;
  });

  window.addEventListener("beforeunload", function (evt) {
    if (leaving) return;
    var typed = Array.prototype.some.call(document.forms, function (f) { return f._typedIn; });
    var unsaved = typed || Object.keys(pending).some(function (k) { return read(k) !== null; });
    if (unsaved) {
      evt.preventDefault();
      evt.returnValue = "";
    }
  });

  document.addEventListener("htmx:configRequest", function (evt) {
    if (csrfToken) {
      evt.detail.headers["X-CSRFToken"] = csrfToken;
      if (evt.detail.parameters && evt.detail.parameters.csrfmiddlewaretoken) {
        evt.detail.parameters.csrfmiddlewaretoken = csrfToken;
      }
    }
    var form = evt.detail.elt;
    if (form && form.matches && form.matches("form[data-draft]")) {
      var sent = {};
      fieldsOf(form).forEach(function (f) { sent[f.name] = f.value; });
      form._draftSent = sent;
    }
  });

  document.addEventListener("htmx:beforeSwap", function (evt) {
    // An answer replaces the messages of the earlier ones. They are cleared
    // before the swap, so a refusal the answer brings (a conflict, a form
    // to correct) stays in the status area.
    var form = draftForm(evt.detail.elt);
    if (form) {
      document.querySelectorAll('form[data-draft="' + form.getAttribute("data-draft") + '"] .draft-error').forEach(function (m) {
        m.remove();
      });
    }
    // A redirect to the login page followed by the browser: never swap it in.
    var xhr = evt.detail.xhr;
    var login = texts.loginPath;
    if (xhr && login && xhr.responseURL && new URL(xhr.responseURL).pathname === login) {
      evt.detail.shouldSwap = false;
      evt.detail.isError = false;
      failed(evt.detail.elt);
      say(evt.detail.elt, t("expired"), login + "?next=" + encodeURIComponent(location.pathname + location.search));
    }
  });

  /* A conflict box open in a form (both texts and the keep/take/merge
   * choice, brought in by a refused autosave) pauses the form's autosave:
   * the person's choice is sent with Save, never guessed while typing. */
  document.addEventListener("htmx:confirm", function (evt) {
    var form = evt.detail.elt;
    var trigger = evt.detail.triggeringEvent;
    if (!form || !form.matches || !form.matches("form[data-draft]") || !trigger || trigger.type !== "input") return;
    if (form.querySelector(".iop-conflict")) evt.preventDefault();
  });

  /* Forms that answer with the whole form again (data-autosave-quiet): an
   * autosave while typing takes only the new version and the "saved" line
   * from the answer, so the text being typed is never replaced. A press on
   * the save button, errors and conflicts swap as usual. */
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var form = evt.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-autosave-quiet]")) return;
    var trigger = evt.detail.requestConfig && evt.detail.requestConfig.triggeringEvent;
    if (!trigger || trigger.type !== "input" || evt.detail.xhr.status !== 200 || !confirmed(evt.detail.xhr)) return;
    evt.detail.shouldSwap = false;
    var answer = new DOMParser().parseFromString(evt.detail.serverResponse, "text/html");
    answer.querySelectorAll("input[type=hidden][id]").forEach(function (src) {
      var dst = document.getElementById(src.id);
      if (dst && dst.type === "hidden" && dst.name === src.name) dst.value = src.value;
    });
    var saved = answer.querySelector('[role="status"]');
    statusArea(form).textContent = saved ? saved.textContent.trim() : "";
  });

  /* An answer that closes a form (its record's reading text, marked
   * data-draft-saved) is not swapped in when the person typed on after
   * the form was sent: the form stays open and saves the rest itself. */
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var form = evt.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-draft]") || !evt.detail.shouldSwap) return;
    var mark = 'data-draft-saved="' + form.getAttribute("data-draft") + '"';
    if ((evt.detail.serverResponse || "").indexOf(mark) === -1) return;
    var sent = form._draftSent || {};
    var typedOn = fieldsOf(form).some(function (f) { return f.name in sent && sent[f.name] !== f.value; });
    if (typedOn) evt.detail.shouldSwap = false;
  });

  function confirmed(xhr) {
    if (xhr.getResponseHeader("HX-Retarget")) return false; // the form again: conflict or errors
    return !/role="alert"/.test(xhr.responseText || ""); // errors or a conflict
  }

  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-draft]") || !evt.detail.successful) return;
    form._draftRetried = false;
    form._draftFailed = false;
    if (!confirmed(evt.detail.xhr)) return;
    var sent = form._draftSent || {};
    // The form may have been swapped (reports): look the fields up by name.
    var live = document.querySelector('form[data-draft="' + form.getAttribute("data-draft") + '"]') || form;
    fieldsOf(live).forEach(function (f) {
      if (f.name in sent && sent[f.name] === f.value) forgetField(live, f);
    });
  });

  /* A plan page that said "nothing to publish" offers publishing again as
   * soon as something on it is saved in the page (the answer of the server
   * to the publish button says so if the save changed nothing after all). */
  function offerPublishing() {
    document.querySelectorAll("[data-nothing-to-publish]").forEach(function (p) { p.hidden = true; });
    document.querySelectorAll("form[data-publish-form][hidden]").forEach(function (f) { f.hidden = false; });
  }
  document.addEventListener("htmx:afterRequest", function (evt) {
    var elt = evt.detail.elt;
    var verb = ((evt.detail.requestConfig && evt.detail.requestConfig.verb) || "").toLowerCase();
    if (!evt.detail.successful || verb !== "post" || !elt || !elt.closest || elt.closest("[data-publish-form]")) return;
    if (confirmed(evt.detail.xhr)) offerPublishing();
  });
  document.addEventListener("input", function (evt) {
    if (evt.target.closest && evt.target.closest("form[data-draft]")) offerPublishing(); // saved on the way
  });

  function failed(elt) {
    var form = draftForm(elt);
    if (form) form._draftFailed = true;
  }

  function retry(form) {
    if (form && form.isConnected && form.hasAttribute("hx-post") && window.htmx) {
      window.htmx.trigger(form, "submit");
    }
  }

  document.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr;
    var elt = evt.detail.elt;
    var form = draftForm(elt);
    failed(elt);
    if (xhr.status === 401 && xhr.getResponseHeader("X-Login-Required")) {
      say(elt, t("expired"), xhr.getResponseHeader("X-Login-Required"));
      return;
    }
    var fresh = xhr.status === 403 && xhr.getResponseHeader("X-CSRF-Token");
    if (fresh) {
      csrfToken = fresh;
      document.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach(function (i) { i.value = fresh; });
      if (form && form === elt && !form._draftRetried) {
        form._draftRetried = true;
        window.setTimeout(function () { retry(form); }, 0);
        return;
      }
      say(elt, t("token"));
      return;
    }
    say(elt, xhr.status >= 500 ? t("server") : t("refused"));
  });

  document.addEventListener("htmx:sendError", function (evt) {
    failed(evt.detail.elt);
    say(evt.detail.elt, t("offline"));
  });

  function retryFailed() {
    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      if (form._draftFailed) {
        form._draftRetried = false;
        retry(form);
      }
    });
  }
  window.addEventListener("focus", retryFailed);
  window.addEventListener("online", retryFailed);

  /* A save answered by going to another page (HX-Redirect: a goal's editor
   * on a page of its own, moved or closed): the server has what the form
   * held, so its drafts go and leaving the page asks nothing. */
  document.addEventListener("htmx:beforeOnLoad", function (evt) {
    var xhr = evt.detail.xhr;
    if (!xhr || xhr.status !== 200 || !xhr.getResponseHeader("HX-Redirect")) return;
    leaving = true;
    var form = evt.detail.elt && evt.detail.elt.closest ? evt.detail.elt.closest("form[data-draft]") : null;
    if (form) keys(PREFIX + user + "|" + form.getAttribute("data-draft") + "|").forEach(remove);
  });

  /* A form sent the ordinary way (no htmx) was saved when the next page was
   * reached through a redirect and does not show the form again. An error
   * page, the login page or the form again with errors keep the drafts. */
  function settleSent() {
    var record = null;
    try {
      record = window.sessionStorage.getItem(SENT);
      window.sessionStorage.removeItem(SENT);
    } catch (e) {
      return;
    }
    if (!record || document.querySelector('form[data-draft="' + record.replace(/"/g, '\\"') + '"]')) return;
    var nav = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    if (nav && nav.redirectCount > 0) keys(PREFIX + user + "|" + record + "|").forEach(remove);
  }

  function start() {
    keys(PREFIX).forEach(function (k) {
      var d = read(k);
      if (!d || !(Date.now() - d.at <= MAX_AGE_MS)) remove(k);
    });
    var el = document.getElementById("draft-texts");
    if (el) {
      texts = Object.assign({}, el.dataset);
      user = el.getAttribute("data-user") || "";
      settleSent(); // only on a page of a logged-in user: the login page keeps the mark
    }
    var onLoad = function (root) {
      // A page saying the server has saved a record's texts (a confirmation
      // page after a save): its drafts are no longer unsaved.
      var marks = root.matches && root.matches("[data-draft-saved]") ? [root] : [];
      if (root.querySelectorAll) marks = marks.concat(Array.prototype.slice.call(root.querySelectorAll("[data-draft-saved]")));
      marks.forEach(function (mark) {
        keys(PREFIX + user + "|" + mark.getAttribute("data-draft-saved") + "|").forEach(remove);
      });
      var forms = root.matches && root.matches("form[data-draft]") ? [root] : [];
      if (root.querySelectorAll) forms = forms.concat(Array.prototype.slice.call(root.querySelectorAll("form[data-draft]")));
      forms.forEach(offer);
      // A record shown as reading text (an IOP goal) whose form is brought in
      // on demand: when this browser holds a draft of it, open the form at
      // once (without taking the focus), so that the draft is offered back.
      var openers = root.matches && root.matches("[data-draft-opener]") ? [root] : [];
      if (root.querySelectorAll) openers = openers.concat(Array.prototype.slice.call(root.querySelectorAll("[data-draft-opener]")));
      openers.forEach(function (opener) {
        var url = opener.getAttribute("hx-get");
        if (!window.htmx || !url || !keys(PREFIX + user + "|" + opener.getAttribute("data-draft-opener") + "|").length) return;
        // Once: the page is loaded both here and by htmx's own first load, and a
        // second answer arriving late would replace the form the draft was restored in.
        if (opener._draftOpened) return;
        opener._draftOpened = true;
        window.htmx.ajax("GET", url + (url.indexOf("?") < 0 ? "?" : "&") + "utkast=1", {
          source: opener,
          target: opener.getAttribute("hx-target"),
          swap: "innerHTML",
        });
      });
    };
    onLoad(document);
    if (window.htmx) window.htmx.onLoad(onLoad); // forms swapped in later
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
