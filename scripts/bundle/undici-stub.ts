// Stands in for undici in dist/ (npm run bundle aliases it here). undici is only reached through
// @actions/core → @actions/http-client, whose HttpClient.getAgentDispatcher builds an undici
// ProxyAgent for fetch-based clients behind a proxy. This action never calls it (nor
// core.getIDToken, the only @actions/core function that uses HttpClient at all), and bundling
// undici would add about 400 KB to dist/index.js that every run parses. If something ever does
// reach it, it fails loudly here instead of misbehaving.

const UNSUPPORTED =
  'undici is not bundled in ssm-secrets-action (scripts/bundle/undici-stub.ts): ' +
  "@actions/http-client's getAgentDispatcher (an undici ProxyAgent for fetch behind a proxy) is unsupported"

export class ProxyAgent {
  constructor() {
    throw new Error(`new ProxyAgent(): ${UNSUPPORTED}`)
  }
}
