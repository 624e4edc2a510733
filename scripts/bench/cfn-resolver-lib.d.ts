declare module 'cfn-resolver-lib' {
  /** https://www.npmjs.com/package/cfn-resolver-lib: evaluates a template's intrinsics with the given values. */
  export default class NodeEvaluator {
    constructor(template: unknown, parameters?: Record<string, unknown>);
    evaluateNodes(parameters?: Record<string, unknown>): unknown;
  }
}
