// Site-wide behaviour without inline scripts (CSP): the 打印 buttons print the page.
document.addEventListener("click", function (e) {
  var b = e.target.closest("[data-print]");
  if (b) { e.preventDefault(); window.print(); }
});

// Fields that belong to one choice only (data-show-if="level=major": the major-hazard fields of
// 确认隐患) are hidden, and not sent, while the form's choice is another.
function wsShowIf(form) {
  form.querySelectorAll("[data-show-if]").forEach(function (box) {
    var rule = box.getAttribute("data-show-if").split("=");
    var ctl = form.querySelector('[name="' + rule[0] + '"]');
    var on = ctl && ctl.value === rule[1];
    box.hidden = !on;
    box.querySelectorAll("input,select,textarea").forEach(function (el) { el.disabled = !on; });
  });
}
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-show-if]")) return;
    wsShowIf(form);
    form.addEventListener("change", function () { wsShowIf(form); });
  });
});

// Pickers (core.picker): a text input whose <datalist> the server fills, as one types, with at most
// 20 rows the user may pick (/pick/<key>/?q=). Without this the input takes a full name or code.
document.addEventListener("input", function (e) {
  var el = e.target;
  if (!el.matches || !el.matches("input[data-pick-url]")) return;
  clearTimeout(el.wsPickTimer);
  el.wsPickTimer = setTimeout(function () {
    var q = el.value.trim();
    var list = document.getElementById(el.getAttribute("list"));
    if (!list || !q) return;
    fetch(el.getAttribute("data-pick-url") + "?q=" + encodeURIComponent(q),
          {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {results: []}; })
      .then(function (d) {
        if (el.value.trim() !== q) return;
        list.replaceChildren.apply(list, d.results.map(function (r) {
          var o = document.createElement("option");
          o.value = r.text;
          return o;
        }));
      })
      .catch(function () {});
  }, 200);
});

// Deferred desk panels (core/_panel_slot.html): htmx replaces each placeholder with its panel; when
// the request fails the placeholder says so and offers the whole desk in one page.
function wsPanelFailed(e) {
  var slot = e.detail && e.detail.elt;
  if (!slot || !slot.classList || !slot.classList.contains("ws-panel-slot")) return;
  slot.removeAttribute("aria-busy");
  var body = slot.querySelector(".card-body");
  var a = document.createElement("a");
  a.href = "?panels=all";
  a.textContent = "重新加载";
  body.replaceChildren(document.createTextNode("该栏目加载失败。"), a);
}
document.addEventListener("htmx:responseError", wsPanelFailed);
document.addEventListener("htmx:sendError", wsPanelFailed);
document.addEventListener("htmx:timeout", wsPanelFailed);
