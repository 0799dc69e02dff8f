// htmx leaves 4xx responses unswapped by default. Our forms answer invalid input
// with 422 (too many attempts with 429, a conflict such as a second vote with 409)
// and the re-rendered form as the fragment, which is exactly what should replace it.
// A region whose refusals come back as its own fragment with other statuses too
// (the volunteer shift panel's "you are not signed up", 404) lists them in
// data-swap-status (only a fragment is swapped: a whole error page never lands inside).
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  var region = event.detail.target && event.detail.target.closest("[data-swap-status]");
  var listed = region && region.getAttribute("data-swap-status").split(" ").indexOf(String(status)) >= 0 &&
    !/<html/i.test(event.detail.xhr.responseText);
  if (status === 422 || status === 429 || status === 409 || listed) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
