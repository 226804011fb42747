import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

/** GraphiQL and React, served from node_modules: the explorer works without reaching any CDN. */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.production.min.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.production.min.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.min.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.min.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
}

const cache = new Map<string, Buffer>()

export const GRAPHIQL_ASSET_PREFIX = '/graphiql/'

export function graphiqlAsset(name: string): { body: Buffer; type: string } | null {
  const asset = ASSETS[name]
  if (!asset) return null
  let body = cache.get(name)
  if (!body) {
    // The UMD builds are not in the packages' "exports"; their package.json is, and they sit beside it.
    body = readFileSync(join(dirname(require.resolve(`${asset.pkg}/package.json`)), asset.file))
    cache.set(name, body)
  }
  return { body, type: asset.type }
}

/** The page's inline script and style, as they appear between their tags (for their CSP hashes). */
export function graphiqlInline(): { script: string; style: string } {
  return { script: INLINE_SCRIPT, style: INLINE_STYLE }
}

const INLINE_STYLE = 'html, body, #graphiql { height: 100%; margin: 0; }'

const INLINE_SCRIPT = `
    const fetcher = GraphiQL.createFetcher({ url: location.origin + '/graphql' });
    const defaultQuery = \`# nodeplan: plan, review, apply node maintenance.
# With a tokens file configured, add {"Authorization": "Bearer <token>"} under Headers.
query Nodes {
  nodes {
    name
    roles
    ready
    draining
    gpus
    gpusInUse
    workloads { namespace name kind relocation project gpus pods }
  }
}
\`;
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true }),
    );
`

export function graphiqlPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>nodeplan · GraphiQL</title>
  <link rel="stylesheet" href="${GRAPHIQL_ASSET_PREFIX}graphiql.min.css">
  <style>${INLINE_STYLE}</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="${GRAPHIQL_ASSET_PREFIX}react.production.min.js"></script>
  <script src="${GRAPHIQL_ASSET_PREFIX}react-dom.production.min.js"></script>
  <script src="${GRAPHIQL_ASSET_PREFIX}graphiql.min.js"></script>
  <script>${INLINE_SCRIPT}</script>
</body>
</html>
`
}
