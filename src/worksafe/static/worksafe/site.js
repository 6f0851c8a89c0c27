// Site-wide behaviour without inline scripts (CSP): the 打印 buttons print the page.
document.addEventListener("click", function (e) {
  var b = e.target.closest("[data-print]");
  if (b) { e.preventDefault(); window.print(); }
});
