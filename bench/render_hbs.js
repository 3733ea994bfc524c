#!/usr/bin/env node
// handlebars.js side of bench/render.py: same templates and data (JSON on stdin), timed in-process
// with process.hrtime, compiled as SES's reference dialect {noEscape: true, strict: true}.
// Same robust statistics as render.py (see "Timing helpers" there): (a) median of individually timed
// renders, (b) per-fixture fastest of several passes, summed, (c) median CPU time per compile.
// Prints {a, a_mean, b, b_wall, c, c_wall, outputA} (seconds) as JSON on stdout.
'use strict';

const path = require('path');

const now = () => process.hrtime.bigint();
const secsSince = (start) => Number(now() - start) / 1e9;

function median(values) {
  const s = values.slice().sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function perRender(fn, budget, maxN) {
  for (let i = 0; i < 20; i++) fn();
  const times = [];
  const deadline = Date.now() + budget * 1000;
  while (times.length < maxN && (times.length < 50 || Date.now() < deadline)) {
    const start = now();
    fn();
    times.push(Number(now() - start));
  }
  const mean = times.reduce((x, y) => x + y, 0) / times.length;
  return [median(times) / 1e9, mean / 1e9];
}

function fixturesTotal(render, fixtures, passes) {
  const best = new Array(fixtures.length).fill(Infinity);
  let bestPass = Infinity;
  for (let p = 0; p < passes; p++) {
    const passStart = now();
    for (let i = 0; i < fixtures.length; i++) {
      const start = now();
      render(fixtures[i]);
      const elapsed = Number(now() - start);
      if (elapsed < best[i]) best[i] = elapsed;
    }
    bestPass = Math.min(bestPass, secsSince(passStart));
  }
  return [best.reduce((x, y) => x + y, 0) / 1e9, bestPass];
}

function compileTimes(compile, source, runs) {
  const cpu = [];
  const wall = [];
  for (let i = 0; i < runs; i++) {
    const variant = source + '{{! run ' + i + ' ' + Date.now() + ' }}';
    const c0 = process.cpuUsage();
    const w0 = now();
    compile(variant);
    const c = process.cpuUsage(c0);
    wall.push(secsSince(w0));
    cpu.push((c.user + c.system) / 1e6);
  }
  return [median(cpu), median(wall)];
}

function main(input) {
  const Handlebars = require(path.join(input.modules, 'handlebars'));
  const opts = { noEscape: true, strict: true };
  const quick = input.quick;
  const result = {};

  const tplA = Handlebars.compile(input.templateA, opts);
  result.outputA = tplA(input.fixtureA);
  [result.a, result.a_mean] = perRender(() => tplA(input.fixtureA), quick ? 0.5 : 2.0, 20000);

  const tplB = Handlebars.compile(input.templateA, opts);
  [result.b, result.b_wall] = fixturesTotal(tplB, input.fixturesB, quick ? 1 : 3);

  // compile() is lazy: _setup forces parse + code generation without rendering.
  [result.c, result.c_wall] = compileTimes(
    (src) => Handlebars.compile(src, opts)._setup({}), input.templateC, quick ? 3 : 9);

  process.stdout.write(JSON.stringify(result));
}

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => main(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
