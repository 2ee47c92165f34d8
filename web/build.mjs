#!/usr/bin/env node
// Builds the dashboard: `node web/build.mjs OUTDIR [--dev]`.
//
// Writes OUTDIR/index.html and content-hashed files under OUTDIR/assets/:
// app-<hash>.js (ES module entry) with its lazily loaded page chunks
// (chunk-<hash>.js), app-<hash>.css, csv-worker-<hash>.js (the CSV parser's
// Web Worker, built first so the app can be given its hashed URL) and
// favicon-<hash>.svg. Paths are resolved from this script, so it runs from
// any working directory. --dev skips minification and adds source maps.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve, relative, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const dev = args.includes('--dev');
const outArg = args.find((a) => !a.startsWith('--'));
if (!outArg) {
  console.error('usage: node web/build.mjs OUTDIR [--dev]');
  process.exit(2);
}
const outDir = resolve(process.cwd(), outArg);
const assetsDir = join(outDir, 'assets');

// Start clean so old hashed files do not pile up (only what this script writes).
rmSync(assetsDir, { recursive: true, force: true });
rmSync(join(outDir, 'index.html'), { force: true });
mkdirSync(assetsDir, { recursive: true });

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: !dev,
  sourcemap: dev ? 'linked' : false,
  legalComments: 'none',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  outdir: assetsDir,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  publicPath: '/assets/',
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
};

function outputFor(metafile, entry) {
  for (const [file, info] of Object.entries(metafile.outputs)) {
    if (info.entryPoint === entry) return { file: basename(file), css: info.cssBundle && basename(info.cssBundle) };
  }
  throw new Error('no output for ' + entry);
}

// 1. The CSV worker: a classic script (works in every browser's Worker).
const worker = await esbuild.build({
  ...common,
  entryPoints: { 'csv-worker': 'src/csv-worker.js' },
  format: 'iife',
});
const workerFile = outputFor(worker.metafile, 'src/csv-worker.js').file;

// 2. The app: an ES module entry, pages split into chunks loaded on demand.
const app = await esbuild.build({
  ...common,
  entryPoints: { app: 'src/main.jsx' },
  format: 'esm',
  splitting: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  loader: { '.svg': 'file', '.png': 'file', '.woff2': 'file' },
  define: { ...common.define, __CSV_WORKER_URL__: JSON.stringify('/assets/' + workerFile) },
});
const appOut = outputFor(app.metafile, 'src/main.jsx');
if (!appOut.css) throw new Error('the app produced no CSS bundle');

// 3. The favicon, hashed by content.
const icon = readFileSync(join(here, 'src', 'favicon.svg'));
const iconName = 'favicon-' + createHash('sha256').update(icon).digest('hex').slice(0, 8).toUpperCase() + '.svg';
writeFileSync(join(assetsDir, iconName), icon);

// 4. index.html: no inline script or style (the server's CSP forbids them).
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Leadterra</title>
<link rel="icon" type="image/svg+xml" href="/assets/${iconName}">
<link rel="stylesheet" href="/assets/${appOut.css}">
<script type="module" src="/assets/${appOut.file}"></script>
</head>
<body>
<div id="app"><noscript>The Leadterra dashboard needs JavaScript. The API works without it: see /v1/openapi.json.</noscript></div>
</body>
</html>
`;
writeFileSync(join(outDir, 'index.html'), html);

if (!existsSync(join(assetsDir, appOut.file))) throw new Error('missing ' + appOut.file);
// Sizes: what the first page needs (index.html, the CSS, the app entry and the
// chunks it imports statically; each page then loads its own chunk) and all.
const outputs = app.metafile.outputs;
const closure = new Set();
const visit = (file) => {
  if (closure.has(file)) return;
  closure.add(file);
  for (const imp of outputs[file].imports) if (imp.kind === 'import-statement' && outputs[imp.path]) visit(imp.path);
};
visit(Object.keys(outputs).find((f) => outputs[f].entryPoint === 'src/main.jsx'));
const size = (paths) => paths.reduce((a, f) => { const b = readFileSync(f); return [a[0] + b.length, a[1] + gzipSync(b, { level: 9 }).length]; }, [0, 0]);
const abs = (f) => join(here, f);
const first = size([join(outDir, 'index.html'), join(assetsDir, appOut.css), ...[...closure].map(abs)]);
const files = readdirSync(assetsDir).sort();
const all = size(files.map((f) => join(assetsDir, f)));
const kb = (n) => (n / 1024).toFixed(1) + ' KB';
console.log(`built ${relative(process.cwd(), outDir) || '.'}: index.html + ${files.length} assets`);
console.log(`first load (html, css, app + static chunks): ${kb(first[0])} raw, ${kb(first[1])} gzip; all assets: ${kb(all[0])} raw, ${kb(all[1])} gzip`);
