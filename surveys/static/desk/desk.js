// Keyboard shortcuts on a discrepancy page: n focuses the note, Esc leaves it,
// c / d / f press the Confirm / Dismiss / Follow-up buttons (their data-key).
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) return;
  var note = form.querySelector("textarea[name=note]");

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      return;
    }
    if (typing(event.target)) return;
    var key = event.key.toLowerCase();
    if (key === "n" && note) {
      event.preventDefault();
      note.focus();
      return;
    }
    var button = form.querySelector('button[data-key="' + key + '"]');
    if (button) {
      event.preventDefault();
      // requestSubmit keeps the pressed button's name=value (the decision) in the POST.
      form.requestSubmit(button);
    }
  });
})();
