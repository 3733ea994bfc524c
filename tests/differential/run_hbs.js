#!/usr/bin/env node
// Reference side of the differential test: renders every case with handlebars.js 4.7.8
// compiled with {noEscape: true, strict: true} (SES.md's reference dialect).
//
// Protocol: stdin is one JSON array of {id, template, data}; stdout is one JSON object
// {handlebars: <version>, results: {<id>: {output: string} | {error: string, phase: "compile"|"render"}}}.
// One node process serves a whole pytest session; a case never shares state with another
// (each compiles into its own isolated Handlebars environment).
'use strict';

const path = require('path');

const modules = process.env.HBSJS_NODE_MODULES ||
  path.join(__dirname, '..', 'hbsjs', 'node_modules');
const Handlebars = require(path.join(modules, 'handlebars'));

// The `log` helper writes through console.*: keep stdout for the JSON answer only.
for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  console[level] = () => {};
}

function renderCase(c) {
  const env = Handlebars.create();
  let template;
  try {
    // precompile forces the parse now (Handlebars.compile is lazy), so errors are classed.
    env.precompile(c.template, { noEscape: true, strict: true });
    template = env.compile(c.template, { noEscape: true, strict: true });
  } catch (e) {
    return { error: String((e && e.message) || e), phase: 'compile' };
  }
  try {
    const out = template(c.data);
    if (typeof out !== 'string') {
      return { error: 'template returned ' + typeof out + ': ' + String(out), phase: 'render' };
    }
    return { output: out };
  } catch (e) {
    return { error: String((e && e.message) || e), phase: 'render' };
  }
}

function main() {
  const chunks = [];
  process.stdin.on('data', (chunk) => chunks.push(chunk));
  process.stdin.on('end', () => {
    const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const results = {};
    for (const c of cases) {
      results[c.id] = renderCase(c);
    }
    process.stdout.write(JSON.stringify({ handlebars: Handlebars.VERSION, results }));
  });
}

main();
