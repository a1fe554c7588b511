/**
 * The pages a sign-in link opens. Following the link (GET) only shows them: a link prefetcher or a mail scanner that
 * opens it spends nothing. The person's button POSTs the token, which signs them in.
 */
const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>${esc(title)} · Confidant</title>
  <link rel="stylesheet" href="/app.css">
</head>
<body>
  <header><h1>Confidant</h1></header>
  <main>
${body}
  </main>
</body>
</html>
`;
}

/** Asks the person to confirm; the form POSTs the token to the same address. */
export const confirmSignInPage = (email: string, token: string) =>
  page(
    'Sign in',
    `    <h2>Sign in as ${esc(email)}?</h2>
    <form method="post" action="/v1/auth/verify">
      <input type="hidden" name="token" value="${esc(token)}">
      <button type="submit">Sign in</button>
    </form>
    <p>The link works once. If you did not ask for it, close this page: nothing happens.</p>`,
  );

/** A link that is unknown, used or expired: the same page for all three. */
export const spentSignInPage = () =>
  page(
    'Sign-in link used or expired',
    `    <h2>This sign-in link is used or expired</h2>
    <p>Each link works once, for a few minutes. <a href="/">Ask for a new one</a>.</p>`,
  );

/** A sign-in form posted from another site (login CSRF): refused. */
export const foreignSignInPage = () =>
  page(
    'Sign in from here',
    `    <h2>Sign in from Confidant's own page</h2>
    <p>This sign-in came from another site, so it was not used. <a href="/">Go to Confidant</a>.</p>`,
  );
