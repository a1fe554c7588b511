/** The bench's receivers in a process of their own: a local SMTP server and a webhook receiver that keep the ids. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

const mails: string[] = [];
const hooks: string[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  maxClients: 200,
  onData(stream, _session, cb) {
    let head = '';
    stream.on('data', (d: Buffer) => {
      if (head.length < 4096) head += d.toString('latin1');
    });
    stream.on('end', () => {
      mails.push(/Message-ID: <([^>]+)>/i.exec(head)?.[1] ?? '?');
      cb();
    });
  },
});
await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
const receiver = http.createServer({ keepAlive: true }, (req, res) => {
  req.resume();
  req.on('end', () => {
    hooks.push(String(req.headers['webhook-id']));
    res.writeHead(200).end();
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
process.on('message', (m: { ask?: string }) => {
  if (m.ask === 'counts') process.send?.({ mails: mails.length, hooks: hooks.length });
  if (m.ask === 'ids') process.send?.({ mails, hooks });
  if (m.ask === 'reset') {
    mails.length = 0;
    hooks.length = 0;
    process.send?.({ reset: true });
  }
});
process.send?.({
  smtp: (smtp.server.address() as AddressInfo).port,
  http: (receiver.address() as AddressInfo).port,
});
