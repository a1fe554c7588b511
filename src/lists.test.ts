/**
 * Lists that appear in more than one place are written once in TypeScript; the database's checks and the page's
 * labels are held to them here (a list changed in one place fails this test until the others follow).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SCOPES } from './gatekeeper/grants.js';
import { PURPOSES, SPECIAL_SCOPES } from './gatekeeper/view.js';
import { testDatabase } from './testing/databases.js';

const SRC = path.dirname(fileURLToPath(import.meta.url));
const page = fs.readFileSync(path.join(SRC, 'web/public/app.js'), 'utf8');

/** The keys of `const NAME = { ... };` in the page's script. */
function pageKeys(name: string): string[] {
  const m = new RegExp(`const ${name} = \\{([\\s\\S]*?)\\};`).exec(page);
  assert.ok(m, `the page defines ${name}`);
  return [...m[1].matchAll(/(?:'([^']+)'|([a-z_]+))\s*:/g)].map((x) => x[1] ?? x[2]);
}

/** The values of a CHECK (column IN (...)) constraint. */
async function checkValues(table: string, column: string): Promise<string[]> {
  const t = await testDatabase({ fromTemplate: true });
  try {
    const r = await t.db.query(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c'
         AND pg_get_constraintdef(oid) LIKE '%' || $2 || '%'`,
      [table, column],
    );
    assert.equal(r.rowCount, 1, `one CHECK on ${table}.${column}`);
    return [...(r.rows[0].def as string).matchAll(/'([^']+)'::text/g)].map((x) => x[1]);
  } finally {
    await t.drop();
  }
}

test('purposes: the grants check and the page labels are the list of gatekeeper/view.ts', async () => {
  assert.deepEqual(await checkValues('grants', 'purpose'), [...PURPOSES]);
  assert.deepEqual(pageKeys('PURPOSES'), [...PURPOSES]);
});

test('scopes: the page labels every grantable scope, and names the special categories as such', () => {
  assert.deepEqual(pageKeys('SCOPES').sort(), [...SCOPES].sort());
  for (const s of SPECIAL_SCOPES) assert.match(page, new RegExp(`'${s.replace('.', '\\.')}': '[^']*special category`));
});
