/* global document, localStorage */
// Runs before the first paint (a blocking <script> in <head>; the CSP allows no inline script): pins
// the theme the user chose in Settings, so a dark-theme user never sees a light flash. The shell's
// layout/appearance.ts owns the same key afterwards.
try {
  var choice = localStorage.getItem('parley.theme');
  if (choice === 'light' || choice === 'dark') document.documentElement.setAttribute('data-theme', choice);
} catch {
  // Storage refused (private mode, policy): the OS's theme it is.
}
