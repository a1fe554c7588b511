// The demo shop's own script: tells the chat which products the visitor looks at, and asks for consent.
for (const button of document.querySelectorAll('button.view')) {
  button.addEventListener('click', () => {
    const li = button.closest('li');
    li.classList.toggle('open');
    window.Confidant?.viewed(button.dataset.product);
  });
}
document.querySelector('#ask-sizes')?.addEventListener('click', () =>
  window.Confidant?.askConsent({
    scope: 'profile.sizes',
    purpose: 'marketing',
    reason: 'So our offers only show what fits.',
  }),
);
