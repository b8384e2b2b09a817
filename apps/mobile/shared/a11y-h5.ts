/**
 * uni-app's H5 <input>/<textarea> render the real field inside <uni-input>, with the placeholder as
 * a separate element: screen readers would announce an unnamed field. This names every such field
 * after its host's aria-label, or its placeholder text, as the page renders (H5 only). Buttons
 * (<uni-button>) become focusable and keyboard-operable.
 */
export function nameUniFields(): void {
  if (typeof document === 'undefined' || typeof MutationObserver === 'undefined') return;
  const fix = () => {
    // <button> renders as <uni-button>, which is neither focusable nor announced as a button
    document.querySelectorAll('uni-button:not([tabindex])').forEach((button) => {
      button.setAttribute('tabindex', button.hasAttribute('disabled') ? '-1' : '0');
      if (!button.hasAttribute('role')) button.setAttribute('role', 'button');
    });
    document.querySelectorAll('uni-input, uni-textarea').forEach((host) => {
      const field = host.querySelector('input, textarea');
      if (!field) return;
      const name = host.getAttribute('aria-label') || host.querySelector('.uni-input-placeholder, .uni-textarea-placeholder')?.textContent?.trim();
      if (name && field.getAttribute('aria-label') !== name) field.setAttribute('aria-label', name);
    });
  };
  new MutationObserver(fix).observe(document.documentElement, { childList: true, subtree: true });
  // a focused button answers Enter and Space as a real button does
  document.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement | null;
    if (target?.tagName === 'UNI-BUTTON' && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      target.click();
    }
  });
  fix();
}
