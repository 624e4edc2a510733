/**
 * Every action a function's role grants is one its code can call, and every action its code can call
 * is granted: least privilege checked against the code, not only linted.
 *
 * What the code can call is derived statically, per function, from the packaged template's handler:
 * starting at the handler's export in its source file, every top-level declaration it references is
 * followed (through relative imports and re-exports, type-only imports left out; module-level
 * statements of every module reached count too), and in each declaration reached the AWS SDK commands
 * it sends (`new XxxCommand(`) and paginators it runs (`paginateXxx(`) are resolved through that
 * file's import from `@aws-sdk/client-<service>` to `<IAM prefix>:Xxx`. This over-approximates (a
 * whole class counts once it is referenced), never under-approximates within shared/ and functions/.
 * Calls the SDK or the Lambda service make on the code's behalf are added by the documented rules in
 * IMPLIED, never by a free list; calls reachable in code that a function never makes are in
 * REACHABLE_NOT_MADE, each with the guard that prevents them.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { SERVICE_DIR, actionsOf, iamStatements, packageService } from '../support/sls-package.js';
import type { CfnTemplate, PackagedService } from '../support/sls-package.js';

/** SDK client package → IAM service prefix (Service Authorization Reference). */
const IAM_PREFIX: Readonly<Record<string, string>> = {
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-route-53': 'route53',
  '@aws-sdk/client-route53resolver': 'route53resolver',
  '@aws-sdk/client-securityhub': 'securityhub',
};

interface Module {
  readonly path: string;
  readonly source: ts.SourceFile;
  /** Local name → where it is imported from (type-only imports left out). */
  readonly imports: ReadonlyMap<string, { module: string; name: string }>;
  /** Top-level declarations by name (functions, classes, variables, enums). */
  readonly declarations: ReadonlyMap<string, ts.Node>;
  /** Exported name → local name, or a re-export from another module. */
  readonly exports: ReadonlyMap<string, { local: string } | { module: string; name: string }>;
  readonly starExports: readonly string[];
  /** Statements that run when the module is loaded (not declarations). */
  readonly sideEffects: readonly ts.Node[];
}

const modules = new Map<string, Module>();

function resolveModule(from: string, specifier: string): string {
  return specifier.startsWith('.') ? resolve(dirname(from), specifier.replace(/\.js$/, '.ts')) : specifier;
}

function loadModule(path: string): Module {
  const cached = modules.get(path);
  if (cached) return cached;
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const imports = new Map<string, { module: string; name: string }>();
  const declarations = new Map<string, ts.Node>();
  const exports = new Map<string, { local: string } | { module: string; name: string }>();
  const starExports: string[] = [];
  const sideEffects: ts.Node[] = [];
  const exported = (node: ts.Node) =>
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const module = resolveModule(path, (statement.moduleSpecifier as ts.StringLiteral).text);
      if (!clause || clause.isTypeOnly) continue;
      if (clause.name) imports.set(clause.name.text, { module, name: 'default' });
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) imports.set(bindings.name.text, { module, name: '*' });
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          if (element.isTypeOnly) continue;
          imports.set(element.name.text, { module, name: (element.propertyName ?? element.name).text });
        }
      }
    } else if (ts.isExportDeclaration(statement)) {
      if (statement.isTypeOnly) continue;
      const module = statement.moduleSpecifier
        ? resolveModule(path, (statement.moduleSpecifier as ts.StringLiteral).text)
        : undefined;
      const clause = statement.exportClause;
      if (!clause && module) starExports.push(module);
      if (clause && ts.isNamedExports(clause)) {
        for (const element of clause.elements) {
          if (element.isTypeOnly) continue;
          const name = (element.propertyName ?? element.name).text;
          exports.set(element.name.text, module ? { module, name } : { local: name });
        }
      }
    } else if (
      ts.isFunctionDeclaration(statement) ||
      ts.isClassDeclaration(statement) ||
      ts.isEnumDeclaration(statement)
    ) {
      if (!statement.name) continue;
      declarations.set(statement.name.text, statement);
      if (exported(statement)) exports.set(statement.name.text, { local: statement.name.text });
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) continue;
        declarations.set(declaration.name.text, declaration);
        if (exported(statement)) exports.set(declaration.name.text, { local: declaration.name.text });
      }
    } else if (
      !ts.isInterfaceDeclaration(statement) &&
      !ts.isTypeAliasDeclaration(statement) &&
      !ts.isModuleDeclaration(statement)
    ) {
      sideEffects.push(statement);
    }
  }
  const module: Module = { path, source, imports, declarations, exports, starExports, sideEffects };
  modules.set(path, module);
  return module;
}

/** Identifiers a node refers to, type positions left out. */
function identifiersIn(node: ts.Node): Set<string> {
  const names = new Set<string>();
  const walk = (n: ts.Node) => {
    if (ts.isTypeNode(n) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) return;
    if (ts.isIdentifier(n)) names.add(n.text);
    ts.forEachChild(n, walk);
  };
  walk(node);
  return names;
}

interface Reach {
  /** `service:Action` of every SDK command and paginator reached. */
  readonly actions: Set<string>;
  /** Imported names reached from packages (e.g. Powertools' getSecret). */
  readonly packageNames: Set<string>;
}

/** Everything the export `name` of the module at `entry` can reach. */
function reach(entry: string, name: string): Reach {
  const actions = new Set<string>();
  const packageNames = new Set<string>();
  const seen = new Set<string>();
  const loaded = new Set<string>();
  const visitNode = (module: Module, node: ts.Node) => {
    const found = new Set<string>();
    for (const id of identifiersIn(node)) {
      const imported = module.imports.get(id);
      if (imported) {
        if (imported.module.startsWith('/')) visitExport(imported.module, imported.name);
        else {
          packageNames.add(`${imported.module}#${imported.name}`);
          const prefix = IAM_PREFIX[imported.module];
          const command = /^([A-Z][A-Za-z0-9]*)Command$/.exec(imported.name)?.[1];
          const paginated = /^paginate([A-Z][A-Za-z0-9]*)$/.exec(imported.name)?.[1];
          if (prefix && (command ?? paginated)) found.add(`${prefix}:${command ?? paginated}`);
        }
      } else if (module.declarations.has(id)) visitLocal(module, id);
    }
    found.forEach((a) => actions.add(a));
    // Tagging on create (TagSpecifications) needs ec2:CreateTags besides the create action.
    if (
      node.getText(module.source).includes('TagSpecifications') &&
      [...found].some((a) => a.startsWith('ec2:Create'))
    )
      actions.add('ec2:CreateTags');
  };
  const enter = (path: string): Module => {
    const module = loadModule(path);
    if (!loaded.has(path)) {
      loaded.add(path);
      for (const statement of module.sideEffects) visitNode(module, statement);
    }
    return module;
  };
  const visitLocal = (module: Module, local: string) => {
    const key = `${module.path}#local:${local}`;
    if (seen.has(key)) return;
    seen.add(key);
    const node = module.declarations.get(local);
    if (node) visitNode(module, node);
    else if (module.imports.has(local)) {
      const imported = module.imports.get(local);
      if (imported?.module.startsWith('/')) visitExport(imported.module, imported.name);
    }
  };
  const visitExport = (path: string, exportName: string) => {
    const module = enter(path);
    const key = `${path}#export:${exportName}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (exportName === '*') {
      for (const name of module.exports.keys()) visitExport(path, name);
      return;
    }
    const target = module.exports.get(exportName);
    if (target && 'local' in target) visitLocal(module, target.local);
    else if (target) {
      if (target.module.startsWith('/')) visitExport(target.module, target.name);
    } else for (const star of module.starExports) visitExport(star, exportName);
  };
  visitExport(entry, name);
  return { actions, packageNames };
}

/**
 * Calls made on the code's behalf, each with the page that documents it. `when` says when the rule
 * applies: to a file of the graph, or to the function as the template deploys it.
 */
const IMPLIED: readonly {
  actions: readonly string[];
  why: string;
  applies: (template: CfnTemplate, functionId: string, reached: Reach) => boolean;
}[] = [
  {
    actions: ['secretsmanager:GetSecretValue'],
    why: "Powertools Parameters' secrets provider (getSecret, SecretsProvider) calls GetSecretValue",
    applies: (_t, _id, reached) =>
      [...reached.packageNames].some((n) => n.startsWith('@aws-lambda-powertools/parameters/secrets#')),
  },
  {
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    why: 'Lambda writes the function\'s logs with its execution role (Lambda Developer Guide, "Lambda execution role")',
    applies: () => true,
  },
  {
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    why: 'active tracing sends segments with the execution role (Lambda Developer Guide, "Visualize Lambda function invocations using AWS X-Ray")',
    applies: (template, id) =>
      (template.Resources[id]?.Properties?.TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active',
  },
  {
    actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
    why: 'an SQS event source mapping polls with the execution role (Lambda Developer Guide, "Using Lambda with Amazon SQS")',
    applies: (template, id) =>
      Object.values(template.Resources).some(
        (r) =>
          r.Type === 'AWS::Lambda::EventSourceMapping' &&
          JSON.stringify(r.Properties?.FunctionName ?? '').includes(`"${id}"`),
      ),
  },
];

/**
 * Calls the static derivation reaches that a function never makes, each with the guard that keeps
 * them out (and so no grant). Keyed by the functions sharing a handler file.
 */
const REACHABLE_NOT_MADE: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'RunbookTasksLambdaFunction+RunbookChangesLambdaFunction': {
    'ecs:UpdateContainerAgent':
      'the runbook applies plans through the shared executor and adapters, but runbookActions (shared/app/runbook.ts) drops every UpdateContainerAgent action: agent updates stay with the reconcile function',
  },
};

interface FunctionUnderTest {
  readonly id: string;
  readonly source: string;
  readonly exportName: string;
  readonly role: string;
}

function functionsOf(template: CfnTemplate): FunctionUnderTest[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id, r]) => {
      const handler = String(r.Properties?.Handler ?? '');
      const role = (r.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.[
        'Fn::GetAtt'
      ]?.[0];
      if (!role) throw new Error(`${id} has no role of its own`);
      const exportName = handler.slice(handler.lastIndexOf('.') + 1);
      return {
        id,
        role,
        exportName,
        source: join(SERVICE_DIR, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`),
      };
    });
}

function codeActions(template: CfnTemplate, fn: FunctionUnderTest): Set<string> {
  const reached = reach(fn.source, fn.exportName);
  const actions = new Set(reached.actions);
  for (const rule of IMPLIED)
    if (rule.applies(template, fn.id, reached)) rule.actions.forEach((a) => actions.add(a));
  return actions;
}

/** Actions of the role's inline policies and of the managed policies it attaches. */
function grantedActions(template: CfnTemplate, roleId: string): Set<string> {
  const managed = (
    (template.Resources[roleId]?.Properties?.ManagedPolicyArns as { Ref?: string }[] | undefined) ?? []
  ).flatMap((arn) => (arn.Ref ? [arn.Ref] : []));
  // Policies attached from outside the role (the organisation hub's conditional member access).
  const attached = Object.entries(template.Resources)
    .filter(
      ([, r]) =>
        r.Type === 'AWS::IAM::Policy' &&
        ((r.Properties?.Roles as { Ref?: string }[] | undefined) ?? []).some((role) => role.Ref === roleId),
    )
    .map(([id]) => id);
  const owners = new Set([roleId, ...managed, ...attached]);
  return new Set(
    iamStatements(template)
      .filter((s) => owners.has(s.owner) && s.Effect === 'Allow')
      .flatMap((s) => actionsOf(s)),
  );
}

const sorted = (set: Iterable<string>) => [...set].sort();
const minus = (a: ReadonlySet<string>, b: ReadonlySet<string>) => sorted([...a].filter((x) => !b.has(x)));

let packaged: PackagedService;

beforeAll(async () => {
  packaged = await packageService({ stage: 'test' });
}, 180_000);

afterAll(async () => {
  if (packaged) await rm(packaged.dir, { recursive: true, force: true });
});

describe('IAM grants match the calls the code makes', () => {
  it('finds each function’s handler source and a non-trivial set of calls', () => {
    const functions = functionsOf(packaged.template);
    expect(functions.map((f) => relative(SERVICE_DIR, f.source)).sort()).toEqual([
      'functions/reconcile/handler.ts',
      'functions/runbook/handler.ts',
      'functions/runbook/handler.ts',
      'functions/slack-interactions/handler.ts',
      'functions/sweep/handler.ts',
    ]);
    const reconcile = functions.find((f) => f.source.endsWith('reconcile/handler.ts'));
    if (!reconcile) throw new Error('no reconcile function');
    // The derivation sees the calls that matter (a scan that found nothing would pass vacuously).
    expect(sorted(codeActions(packaged.template, reconcile))).toEqual(
      expect.arrayContaining([
        'ec2:CreateVpcEndpoint',
        'ec2:CreateTags',
        'ec2:DescribeVpcs',
        'ecs:UpdateContainerAgent',
        'ssm:SendCommand',
        'ssm:ListCommandInvocations',
        'secretsmanager:GetSecretValue',
        'securityhub:BatchImportFindings',
        'securityhub:GetFindings',
      ]),
    );
  });

  it('grants no action without wildcards (so the comparison is exact)', () => {
    const wild = iamStatements(packaged.template).flatMap((s) => actionsOf(s).filter((a) => a.includes('*')));
    expect(wild).toEqual([]);
  });

  it('per function: no role grants an action no code path calls, and every call is granted', () => {
    const { template } = packaged;
    const bySource = new Map<string, FunctionUnderTest[]>();
    for (const fn of functionsOf(template)) bySource.set(fn.source, [...(bySource.get(fn.source) ?? []), fn]);
    const problems: Record<string, string[]> = {};
    const note = (key: string, lines: string[]) => {
      if (lines.length > 0) problems[key] = [...(problems[key] ?? []), ...lines];
    };
    for (const fns of bySource.values()) {
      // Functions sharing a handler file (the runbook's dispatcher exports) share its code: their
      // calls are compared with the union of their roles.
      const key = fns.map((f) => f.id).join('+');
      const notMade = REACHABLE_NOT_MADE[key] ?? {};
      for (const fn of fns) {
        const code = codeActions(template, fn);
        note(
          fn.id,
          minus(grantedActions(template, fn.role), code).map((a) => `granted, never called: ${a}`),
        );
      }
      const code = new Set(
        fns.flatMap((fn) => [...codeActions(template, fn)]).filter((a) => !(a in notMade)),
      );
      const granted = new Set(fns.flatMap((fn) => [...grantedActions(template, fn.role)]));
      note(
        key,
        minus(code, granted).map((a) => `called, not granted: ${a}`),
      );
      note(
        key,
        Object.keys(notMade)
          .filter((a) => granted.has(a))
          .map((a) => `listed as never made, yet granted: ${a}`),
      );
    }
    expect(problems).toEqual({});
  });

  // Two unused grants were resource-level, so the action comparison above cannot see them.
  it('tags only what the code tags on create, and modifies endpoints only on the resources the action takes', () => {
    const statements = iamStatements(packaged.template);
    const tagging = statements.filter((s) => actionsOf(s).includes('ec2:CreateTags'));
    expect(tagging).toHaveLength(1);
    // Ingress rules are never tagged (authorizeHttpsIngress passes no TagSpecifications).
    expect(JSON.stringify(tagging[0]?.Resource)).not.toContain('security-group-rule');
    expect(tagging[0]?.Condition?.StringEquals?.['ec2:CreateAction']).toEqual([
      'CreateVpcEndpoint',
      'CreateSecurityGroup',
    ]);
    // ModifyVpcEndpoint takes no VPC resource (Service Authorization Reference, Amazon EC2).
    for (const statement of statements.filter((s) => actionsOf(s).includes('ec2:ModifyVpcEndpoint')))
      expect(JSON.stringify(statement.Resource)).not.toContain(':vpc/');
  });

  it('the check is looking: a grant nobody calls and a call nobody grants are both caught', () => {
    const { template } = packaged;
    const reconcile = functionsOf(template).find((f) => f.source.endsWith('reconcile/handler.ts'));
    if (!reconcile) throw new Error('no reconcile function');
    const code = codeActions(template, reconcile);
    const granted = grantedActions(template, reconcile.role);
    expect(minus(new Set([...granted, 'ssm:ListCommands']), code)).toEqual(['ssm:ListCommands']);
    granted.delete('ssm:ListCommandInvocations');
    expect(minus(code, granted)).toEqual(['ssm:ListCommandInvocations']);
  });
});
afterAll(() => {
  if (!packaged) return;
  const lines = functionsOf(packaged.template).map(
    (fn) => `${fn.id}: ${sorted(codeActions(packaged.template, fn)).join(' ')}`,
  );
  console.log(`AWS actions each function's code can call (derived):\n${lines.join('\n')}`);
});
