// A copy-link control. The address bar follows the page up to 250 ms late (writing it on every step
// was a measurable cost), so the link is built when the control is pressed, from the page's state at
// that moment. It goes into a read-only field, where it can be seen and selected, and onto the
// clipboard where the browser allows it (the Clipboard API needs a secure context, which a plain-http
// LAN address in a classroom is not; the field's selection and the copy command still work there).

/** button: pressed to copy; field: a read-only <input> that shows the link; status: says whether it was copied. */
export function bindCopyLink(button, field, status, currentUrl) {
  button.addEventListener("click", async () => {
    const url = currentUrl();
    field.value = url;
    field.hidden = false;
    field.select();
    let copied = false;
    if (window.isSecureContext && navigator.clipboard) {
      try { await navigator.clipboard.writeText(url); copied = true; } catch { /* refused: try the copy command */ }
    }
    if (!copied) copied = document.execCommand("copy");
    status.textContent = copied ? "link copied" : "copy the selected link";
    if (copied) button.focus();  // the page's keys (← →) work again; the field keeps showing the link
  });
}
