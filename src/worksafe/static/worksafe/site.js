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
