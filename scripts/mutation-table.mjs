/**
 * Per-file table of Stryker JSON reports (`node scripts/mutation-table.mjs [report.json ...]
 * [--survivors]`): killed / survived / no coverage / timeout / compile errors / ignored and the
 * mutation score ((killed + timeout) / (killed + timeout + survived + no coverage)), as Markdown.
 * Several reports (one per run, e.g. `.tmp/stryker/runs/*.json`) merge into one table; a file in
 * more than one report counts from the last report given.
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = args.length > 0 ? args : ['.tmp/stryker/report/mutation.json'];
const report = { files: {} };
for (const file of files) Object.assign(report.files, JSON.parse(readFileSync(file, 'utf8')).files);
const rows = [];
const total = {
  Killed: 0,
  Survived: 0,
  NoCoverage: 0,
  Timeout: 0,
  CompileError: 0,
  RuntimeError: 0,
  Ignored: 0,
};
for (const [name, f] of Object.entries(report.files).sort()) {
  const c = {
    Killed: 0,
    Survived: 0,
    NoCoverage: 0,
    Timeout: 0,
    CompileError: 0,
    RuntimeError: 0,
    Ignored: 0,
  };
  for (const m of f.mutants) c[m.status] = (c[m.status] ?? 0) + 1;
  for (const k of Object.keys(total)) total[k] += c[k] ?? 0;
  rows.push([name.replace(/^shared\/core\//, ''), c]);
}
rows.push(['**all**', total]);
const score = (c) => {
  const valid = c.Killed + c.Timeout + c.Survived + c.NoCoverage;
  return valid === 0 ? 'n/a' : `${((100 * (c.Killed + c.Timeout)) / valid).toFixed(1)} %`;
};
console.log('| file | killed | survived | no coverage | timeout | compile error | ignored | score |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [name, c] of rows)
  console.log(
    `| ${name} | ${c.Killed} | ${c.Survived} | ${c.NoCoverage} | ${c.Timeout} | ${c.CompileError + c.RuntimeError} | ${c.Ignored} | ${score(c)} |`,
  );
if (process.argv.includes('--survivors'))
  for (const [name, f] of Object.entries(report.files))
    for (const m of f.mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage'))
      console.log(
        `${name}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName} ${JSON.stringify(m.replacement ?? '')}`,
      );
