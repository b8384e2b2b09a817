/**
 * uni-app's H5 <input>/<textarea> render the real field inside <uni-input>, with the placeholder as
 * a separate element: screen readers would announce an unnamed field. This names every such field
 * after its host's aria-label, or its placeholder text, as the page renders (H5 only).
 */
export function nameUniFields(): void {
  if (typeof document === 'undefined' || typeof MutationObserver === 'undefined') return;
  const fix = () => {
    document.querySelectorAll('uni-input, uni-textarea').forEach((host) => {
      const field = host.querySelector('input, textarea');
      if (!field) return;
      const name = host.getAttribute('aria-label') || host.querySelector('.uni-input-placeholder, .uni-textarea-placeholder')?.textContent?.trim();
      if (name && field.getAttribute('aria-label') !== name) field.setAttribute('aria-label', name);
    });
  };
  new MutationObserver(fix).observe(document.documentElement, { childList: true, subtree: true });
  fix();
}
