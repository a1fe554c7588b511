/** A real SMTP server on loopback for tests: it keeps what it receives and finds the sign-in links in it. */
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';

export async function mailbox() {
  const mails: Array<{ to: string[]; raw: string }> = [];
  const waiting: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (d) => (raw += d));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        waiting.splice(0).forEach((w) => w());
        cb();
      });
    },
  });
  // A client that dies mid-session (a process killed with kill -9) resets its connection: not the test's failure.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    /** The sign-in link of the latest mail to `to` (quoted-printable undone). */
    async linkFor(to: string): Promise<URL> {
      const deadline = Date.now() + 5000;
      for (;;) {
        const mail = [...mails].reverse().find((m) => m.to.some((r) => r.toLowerCase() === to.toLowerCase()));
        if (mail) {
          const text = mail.raw
            .replace(/=\r?\n/g, '')
            .replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
          const m = /(https?:\/\/\S+\/v1\/auth\/verify\?token=[A-Za-z0-9_%-]+)/.exec(text);
          assert.ok(m, 'the mail carries a sign-in link');
          return new URL(m[1]);
        }
        if (Date.now() > deadline) throw new Error(`no mail to ${to}`);
        await new Promise<void>((r) => {
          waiting.push(r);
          setTimeout(r, 200);
        });
      }
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
