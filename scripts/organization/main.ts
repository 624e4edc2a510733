/**
 * `npm run package:org -- --stage prod --out DIR [--region us-east-1]`: packages the service with
 * `sls package` and writes the organisation deployment's templates (README, "Deploying it for an
 * organisation"):
 *   DIR/stackset-template.json  the stack, for CloudFormation StackSets (or one account's hub)
 *   DIR/member-template.json    the hub shape's member stack
 *   DIR/artifacts/*.zip         the function code, to copy to <ArtifactBucketPrefix>-<Region> buckets
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { memberTemplate, stackSetTemplate, type CfnTemplate } from './templates.js';

const SERVICE_DIR = fileURLToPath(new URL('../../', import.meta.url));

export function packageOrganization(options: { stage: string; region: string; out: string }): string[] {
  const packageDir = join(options.out, 'package');
  execFileSync(
    process.execPath,
    [
      join(SERVICE_DIR, 'node_modules/serverless/bin/serverless.js'),
      'package',
      '--package',
      packageDir,
      '--stage',
      options.stage,
      '--region',
      options.region,
    ],
    { cwd: SERVICE_DIR, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const packaged = JSON.parse(
    readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as CfnTemplate;
  const written = [join(options.out, 'stackset-template.json'), join(options.out, 'member-template.json')];
  writeFileSync(
    written[0]!,
    `${JSON.stringify(stackSetTemplate(packaged, { packagedRegion: options.region }), null, 2)}\n`,
  );
  writeFileSync(written[1]!, `${JSON.stringify(memberTemplate(packaged), null, 2)}\n`);
  mkdirSync(join(options.out, 'artifacts'), { recursive: true });
  for (const name of readdirSync(packageDir).filter((n) => n.endsWith('.zip'))) {
    copyFileSync(join(packageDir, name), join(options.out, 'artifacts', name));
    written.push(join(options.out, 'artifacts', name));
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string', default: 'dev' },
      region: { type: 'string', default: 'us-east-1' },
      out: { type: 'string' },
    },
  });
  if (!values.out) {
    console.error('usage: npm run package:org -- --stage STAGE --out DIR [--region REGION]');
    process.exit(2);
  }
  mkdirSync(values.out, { recursive: true });
  for (const file of packageOrganization({ stage: values.stage, region: values.region, out: values.out }))
    console.log(file);
}
