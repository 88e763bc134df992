// The end-to-end tests run dist/index.js, as the runner does. Build it from src/ first, so that a
// test run after editing src/ tests that code, not the last bundle built (the bundle is
// deterministic: a committed, fresh dist/ stays as it is).
import { execFileSync } from 'node:child_process'
import { join, resolve } from 'node:path'

export default function buildBundle(): void {
  const root = resolve(import.meta.dirname, '..')
  execFileSync(join(root, 'node_modules', '.bin', 'tsx'), ['scripts/bundle.ts'], { cwd: root, stdio: 'inherit' })
}
