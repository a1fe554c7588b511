/** The ingest room's front door: what other rooms may call. */
export { splitCsvLine } from './csv.js';
export { IMPORT_KINDS, type ImportKind, importFile } from './import.js';
