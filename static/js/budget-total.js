// Keeps a budget ballot's running total current while boxes are ticked. The page
// renders the same figures on the server, so without JavaScript nothing is lost.
(function () {
  function format(n) {
    return n.toLocaleString("en-US");
  }
  function update(form) {
    var line = form.querySelector("#budget-total");
    if (!line) return;
    var budget = parseInt(line.getAttribute("data-budget"), 10) || 0;
    var total = 0;
    form.querySelectorAll("input[name=item][data-cost]:checked").forEach(function (box) {
      total += parseInt(box.getAttribute("data-cost"), 10) || 0;
    });
    var over = Math.max(0, total - budget);
    line.querySelector("[data-total]").textContent = format(total);
    line.querySelector("[data-over]").textContent = format(over);
    line.querySelector("[data-left]").textContent = format(Math.max(0, budget - total));
    line.querySelector("[data-over-line]").hidden = over === 0;
    line.querySelector("[data-left-line]").hidden = over > 0;
    line.classList.toggle("over", over > 0);
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("input[name=item][data-cost]") && box.form) update(box.form);
  });
})();
