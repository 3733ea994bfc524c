#!/usr/bin/env node
// handlebars.js side of bench/render.py: same templates and data (JSON on stdin), timed in-process
// with process.hrtime, compiled as SES's reference dialect {noEscape: true, strict: true}.
// Prints {a, b, c, outputA} (seconds) as JSON on stdout.
'use strict';

const path = require('path');

function now() {
  return process.hrtime.bigint();
}
function secs(start) {
  return Number(now() - start) / 1e9;
}

// Best mean seconds per call over `batches` batches of at least minBatch seconds each.
function perCall(fn, minBatch, batches) {
  fn();
  let loops = 1;
  let elapsed;
  for (;;) {
    const start = now();
    for (let i = 0; i < loops; i++) fn();
    elapsed = secs(start);
    if (elapsed >= minBatch) break;
    loops = Math.max(loops * 2, Math.floor((loops * minBatch) / Math.max(elapsed, 1e-9) * 1.1));
  }
  let best = elapsed / loops;
  for (let b = 1; b < batches; b++) {
    const start = now();
    for (let i = 0; i < loops; i++) fn();
    best = Math.min(best, secs(start) / loops);
  }
  return best;
}

function bestOf(fn, repeat) {
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const start = now();
    fn();
    best = Math.min(best, secs(start));
  }
  return best;
}

function median(values) {
  const s = values.slice().sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

function main(input) {
  const Handlebars = require(path.join(input.modules, 'handlebars'));
  const opts = { noEscape: true, strict: true };
  const quick = input.quick;

  const tplA = Handlebars.compile(input.templateA, opts);
  const outputA = tplA(input.fixtureA);
  const a = perCall(() => tplA(input.fixtureA), quick ? 0.1 : 0.3, quick ? 3 : 5);

  const b = bestOf(() => {
    const t = Handlebars.compile(input.templateA, opts);
    for (const fixture of input.fixturesB) t(fixture);
  }, quick ? 1 : 3);

  let run = 0;
  const compiles = [];
  for (let i = 0; i < (quick ? 3 : 7); i++) {
    compiles.push(bestOf(() => {
      // compile() is lazy: _setup forces parse + code generation without rendering.
      Handlebars.compile(input.templateC + '{{! run ' + run++ + ' }}', opts)._setup({});
    }, 1));
  }
  const c = median(compiles);
  process.stdout.write(JSON.stringify({ a, b, c, outputA }));
}

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => main(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
