// htmx leaves 4xx responses unswapped by default. Our forms answer invalid input
// with 422 (too many attempts with 429, a conflict such as a second vote with 409)
// and the re-rendered form as the fragment, which is exactly what should replace it.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status === 422 || status === 429 || status === 409) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
