// Builds the served widget (dist/) from its readable source (js/): esbuild bundles and
// minifies the scripts and the styles, and the strings files lose their indentation.
// `make widget` runs it; a test rebuilds into a temporary folder and compares, so the
// committed dist/ always matches js/. Usage: node build.mjs [OUTPUT_DIR]
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const source = join(here, 'js')
const output = process.argv[2] || join(here, 'dist')
const banner = '/* Corrigo reader widget, built from src/corrigo/widget/js (AGPL-3.0-or-later) */'

const common = {
  bundle: true,
  minify: true,
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
  outdir: output
}

mkdirSync(output, { recursive: true })
// The loader is a classic script (the embed tag has no type=module); the lazy part an ES module.
await esbuild.build({ ...common, entryPoints: [join(source, 'widget.js')], format: 'iife', target: 'es2020', banner: { js: banner } })
await esbuild.build({ ...common, entryPoints: [join(source, 'ui.js'), join(source, 'notices.js')], format: 'esm', target: 'es2020', banner: { js: banner } })
await esbuild.build({ ...common, entryPoints: [join(source, 'widget.css')] })
for (const name of readdirSync(source).filter((file) => /^i18n-[a-z]+\.json$/.test(file))) {
  const strings = JSON.parse(readFileSync(join(source, name), 'utf8'))
  writeFileSync(join(output, name), JSON.stringify(strings) + '\n')
}
