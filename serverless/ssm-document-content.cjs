'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- the Serverless file resolver loads this file with require() */
/**
 * `${file(serverless/ssm-document-content.cjs)}`: the SSM document as an object for
 * AWS::SSM::Document Content. The document's shell scripts use `${name:-default}`, which the
 * Serverless variable resolver would read as its own variables; every `${` is escaped so it
 * reaches CloudFormation unchanged.
 */
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');
const { parse } = require('yaml');

const escapeVariables = (value) => {
  if (typeof value === 'string')
    return value.replace(/(\\*)\$\{/g, (_, slashes) => `${slashes}${slashes}\\\${`);
  if (Array.isArray(value)) return value.map(escapeVariables);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeVariables(v)]));
  }
  return value;
};

module.exports = () =>
  escapeVariables(parse(readFileSync(resolve(__dirname, '../documents/restart-ecs-agent.yml'), 'utf8')));
