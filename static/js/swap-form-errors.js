// htmx leaves 4xx responses unswapped by default. Our forms answer invalid input
// with 422 (and too many attempts with 429) and the re-rendered form as the
// fragment, which is exactly what should replace the form.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status === 422 || status === 429) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
