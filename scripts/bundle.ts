// npm run bundle: builds dist/ from src/index.ts with esbuild. dist/ is what runners execute
// (action.yml: main: dist/index.js) and is committed, so the output is byte-for-byte the same on
// every rebuild from the same sources and lockfile, wherever the checkout is.
// Writes: dist/index.js (ESM), its chunks dist/chunk-HASH.js (loaded by import() only when used),
// dist/package.json ({"type": "module"}) and dist/licenses.txt (the bundled packages' licenses).
// Everything else in dist/ is removed first.
// Options: --outdir DIR (default dist; to build elsewhere for measuring), --metafile FILE (esbuild's
// account of which input went into which output, with sizes).
import { build, type Plugin } from 'esbuild'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'

const ROOT = resolve(import.meta.dirname, '..')
const { values: args } = parseArgs({
  options: { outdir: { type: 'string', default: 'dist' }, metafile: { type: 'string' } }
})
const OUT = resolve(ROOT, args.outdir ?? 'dist')

/**
 * Node builtins that ESM code imports (`import … from 'node:http'`, `await import('node:http')`) are
 * loaded with require() instead. An ESM import of a builtin makes Node build its ESM facade, which
 * reads every export, lazy getters included: under Node 24, node:http's WebSocket getter alone
 * loads Node's internal undici. require() reads nothing unasked.
 * Start-up is 12–16 ms shorter with it (medians of 60–120 runs interleaved with and without, npm run
 * bench --startup-only, 2026-11-30, Node 24.21.0): less than the 20 ms issue 12 asks of a start-up
 * trick, but it stays, with `splitting` below, because without both start-up is about 40 ms longer
 * than the 83 ms of the build that still loaded the SDK clients and YAML lazily, over the 30 ms
 * allowed; with them, 16 ms longer.
 */
const builtinsViaRequire: Plugin = {
  name: 'builtins-via-require',
  setup(context) {
    context.onResolve({ filter: /^[a-z_:/0-9]+$/ }, (target) => {
      if (!(target.kind === 'import-statement' || target.kind === 'dynamic-import') || !isBuiltin(target.path)) {
        return undefined
      }
      const path = target.path.startsWith('node:') ? target.path : `node:${target.path}`
      // Loading a builtin changes nothing: a require() whose result goes unused can be left out.
      return { path, namespace: 'builtin', sideEffects: false }
    })
    // CommonJS, so that esbuild reads named imports as properties of require()'s result.
    context.onLoad({ filter: /.*/, namespace: 'builtin' }, (target) => ({
      contents: `module.exports = require(${JSON.stringify(target.path)})`,
      loader: 'js'
    }))
  }
}

/**
 * Packages reached only through @actions/core functions this action never calls: core.getIDToken
 * (@actions/http-client, with tunnel and undici) and core.platform (@actions/exec, @actions/io).
 * They declare no "sideEffects" in their package.json, so esbuild would keep each of their modules
 * that is imported, used or not: undici alone makes dist/ 1.10 MB instead of 0.67 MB. Their modules
 * only define things: marked free of side effects, they are left out unless code that is used needs
 * them. Kept for the size (the 1 MB target), not for start-up: without it start-up measured the same
 * (−2 ms, within the noise; npm run bench --startup-only, 2026-11-30, Node 24.21.0).
 */
const SIDE_EFFECT_FREE = /^(@actions\/(exec|io|http-client)|tunnel)(\/|$)/

const sideEffectFree: Plugin = {
  name: 'side-effect-free',
  setup(context) {
    context.onResolve({ filter: SIDE_EFFECT_FREE }, async (target) => {
      if (target.pluginData === 'side-effect-free') return undefined
      const resolved = await context.resolve(target.path, {
        kind: target.kind,
        importer: target.importer,
        resolveDir: target.resolveDir,
        pluginData: 'side-effect-free'
      })
      return resolved.errors.length > 0 ? resolved : { ...resolved, sideEffects: false }
    })
  }
}

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/index.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  // action.yml runs node24; Node 20 must run it as well.
  target: 'node20',
  // The AWS SDK's ESM build (dist-es) where a package has no "exports"; esbuild's default for
  // platform node takes "main" (dist-cjs) first, which cannot be tree-shaken.
  mainFields: ['module', 'main'],
  minify: true,
  // Licenses go to licenses.txt in full instead.
  legalComments: 'none',
  charset: 'utf8',
  // What the SDK loads with import() (the credential providers past the environment's, with their
  // SSO, STS and instance-metadata clients) goes into chunks read only when used; without them every
  // run parses it. Start-up: 25 ms shorter while src/ loaded clients and YAML lazily, 9 ms now (see
  // builtinsViaRequire for why it stays).
  splitting: true,
  entryNames: '[name]',
  // The hash is of the chunk's contents: the same sources give the same names.
  chunkNames: 'chunk-[hash]',
  plugins: [builtinsViaRequire, sideEffectFree],
  // The require() that the builtins above and the CommonJS code in the bundle (yaml) call.
  banner: {
    js: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);"
  },
  metafile: true,
  write: false,
  outdir: OUT,
  logLevel: 'warning'
})

const bundled = Object.values(result.metafile.outputs).flatMap((output) =>
  Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path)
)
const undici = bundled.filter((path) => path.includes('node_modules/undici/'))
if (undici.length > 0) throw new Error(`undici got into the bundle: ${undici.join(', ')}`)
if (args.metafile) writeFileSync(resolve(args.metafile), JSON.stringify(result.metafile, null, 2))

// ---------------------------------------------------------------------------------------------
// licenses.txt: every package with code in the output, with its license text (as ncc's --license).

/** Directory of the package that holds `input` (a path relative to ROOT), or undefined for our own code. */
function packageDirectory(input: string): string | undefined {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)
  return match ? join(ROOT, match[1] as string) : undefined
}

function licenseText(directory: string): string {
  const file = readdirSync(directory)
    .filter((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name))
    .sort()[0]
  return file ? readFileSync(join(directory, file), 'utf8').trim() : ''
}

function licenses(inputs: string[]): string {
  const directories = new Set(inputs.map(packageDirectory).filter((directory) => directory !== undefined))
  const entries = new Map<string, string>()
  for (const directory of directories) {
    const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
      name: string
      license?: string | { type: string }
    }
    const license = typeof manifest.license === 'object' ? manifest.license.type : (manifest.license ?? '')
    const entry = `${manifest.name}\n${license}\n${licenseText(directory)}`
    // Two copies of one package (different versions) are listed once when their texts agree.
    entries.set(`${manifest.name}\n${entry}`, entry)
  }
  const sorted = [...entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return `${sorted.map((key) => entries.get(key)).join('\n\n')}\n`
}

// ---------------------------------------------------------------------------------------------
// write dist/: remove what was there, so that no stale chunk stays behind

const files = new Map<string, string | Uint8Array>()
for (const file of result.outputFiles) files.set(relative(OUT, file.path), file.contents)
files.set('package.json', `${JSON.stringify({ type: 'module' }, null, 2)}\n`)
files.set('licenses.txt', licenses(bundled))

if (existsSync(OUT)) rmSync(OUT, { recursive: true })
for (const [name, contents] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
  mkdirSync(dirname(join(OUT, name)), { recursive: true })
  writeFileSync(join(OUT, name), contents)
}
const size = (name: string) => (files.get(name) as Uint8Array).byteLength
const scripts = [...files.keys()].filter((name) => name.endsWith('.js'))
console.log(
  `${relative(ROOT, OUT) || '.'}/: ${scripts.length} .js files, ${scripts.reduce((sum, name) => sum + size(name), 0)} bytes (index.js ${size('index.js')})`
)
