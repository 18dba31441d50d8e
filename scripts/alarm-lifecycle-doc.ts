// `npm run docs:alarms`: rewrites the lifecycle table in docs/alarms.md from src/alarms/lifecycle.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { withTable } from '../src/alarms/lifecycle-doc.ts';

const file = resolve(import.meta.dirname, '..', 'docs', 'alarms.md');
writeFileSync(file, withTable(readFileSync(file, 'utf8')));
console.log(`updated ${file}`);
