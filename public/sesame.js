// Progressive enhancement only: every screen works without this file.
// - moves focus to the error summary so screen readers announce it;
// - «Afficher le mot de passe» checkboxes switch their field between hidden and visible text.
document.addEventListener('DOMContentLoaded', function () {
  var summary = document.querySelector('[data-autofocus]');
  if (summary) summary.focus();
  document.querySelectorAll('input[data-toggles]').forEach(function (box) {
    var field = document.getElementById(box.getAttribute('data-toggles'));
    if (!field) return;
    box.addEventListener('change', function () {
      field.type = box.checked ? 'text' : 'password';
    });
  });
});
