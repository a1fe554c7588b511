import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { csvRecords } from './csv.js';
import type { AppError } from '../errors.js';

const read = async (text: string) => {
  const out: Array<[Record<string, string>, number]> = [];
  for await (const batch of csvRecords(Readable.from([text]), 'f.csv')) out.push(...batch);
  return out;
};

test('quotes, doubled quotes, commas and new lines inside quotes, a BOM and blank lines', async () => {
  const rows = await read('\uFEFFid,name,note\r\n1,"Mug, large","say ""hi"""\n\n2,Plate,"two\nlines"\n3,Bowl,\n');
  assert.deepEqual(rows, [
    [{ id: '1', name: 'Mug, large', note: 'say "hi"' }, 2],
    [{ id: '2', name: 'Plate', note: 'two\nlines' }, 4],
    [{ id: '3', name: 'Bowl', note: '' }, 6],
  ]);
});

test('a record with the wrong number of fields, or a quote never closed, is named by its line', async () => {
  await assert.rejects(
    read('a,b\n1,2\n3,4,5\n'),
    (e: AppError) => e.path === 'line 3' && /3 fields where the header has 2/.test(e.message),
  );
  await assert.rejects(
    read('a,b\n1,"open\n2,3\n'),
    (e: AppError) => e.path === 'line 2' && /never closed/.test(e.message),
  );
});

test('line ends of every kind, also split across chunks: \\n, \\r\\n and a lone \\r', async () => {
  const rows = async (chunks: string[]) => {
    const ids: string[] = [];
    for await (const batch of csvRecords(Readable.from(chunks), 'f.csv')) ids.push(...batch.map(([r]) => r.id));
    return ids;
  };
  assert.deepEqual(await rows(['id,n\r1,a\r2,b\r3,c']), ['1', '2', '3']);
  assert.deepEqual(await rows(['id,n\r', '\n1,a\r', '\n2,b\r\n']), ['1', '2']);
  assert.deepEqual(await rows(['id,n\r1,a\r2,', 'b\r3,c\r']), ['1', '2', '3']);
});
