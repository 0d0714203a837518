// Checks docs/openapi.yaml (node --test; `npm run test:api`, CTest `openapi_spec`):
//   (a) it is a valid OpenAPI document (@apidevtools/swagger-parser), every schema
//       compiles as JSON Schema 2020-12 in Ajv's strict mode (so a misspelt keyword
//       fails) and every example is valid against its schema;
//   (b) its operations are exactly the routes the server registers, read from
//       `$CHOLLIMA_BIN serve --routes` ("METHOD /path" per line, parameters as {name});
//       skipped when CHOLLIMA_BIN is unset. CHOLLIMA_ROUTES_FILE (a file in the same
//       format) stands in for the binary while a route is being written;
//   (c) every operation has an operationId (unique), documents at least one 4xx answer,
//       declares its path parameters, and says who may call it (x-chollima-roles)
//       consistently with its security requirements.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const specPath = path.resolve(here, '../../docs/openapi.yaml');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const ROLES = ['anyone', 'self', 'viewer', 'reporter', 'planner', 'admin'];

// The packages come from `npm ci` in web/; without them every test fails saying so.
const require = createRequire(import.meta.url);
function load(name) {
  try {
    return require(name);
  } catch (e) {
    const web = path.resolve(here, '..');
    throw new Error(
      `cannot load '${name}' (${e.code ?? e.message}): run \`npm ci\` in ${web} first`,
    );
  }
}

let raw; // the document as written ($refs kept)
let api; // dereferenced
before(async () => {
  const SwaggerParser = load('@apidevtools/swagger-parser');
  raw = await SwaggerParser.parse(specPath);
  raw = structuredClone(raw);
  api = await SwaggerParser.validate(specPath);
});

// [{method: 'GET', path: '/x', op, pathItem}] of the dereferenced document.
function operations(doc) {
  const out = [];
  for (const [p, item] of Object.entries(doc.paths ?? {})) {
    for (const m of METHODS) {
      if (item[m]) out.push({ method: m.toUpperCase(), path: p, op: item[m], pathItem: item });
    }
  }
  return out;
}

test('(a) docs/openapi.yaml is a valid OpenAPI document', () => {
  assert.match(api.openapi, /^3\.1\./, 'openapi: 3.1.x');
  assert.ok(operations(api).length > 0, 'no operations');
});

// Every schema compiles in strict mode and every example matches its schema.
test('(a) schemas compile and examples match them', () => {
  const Ajv2020 = load('ajv/dist/2020').default;
  const ajv = new Ajv2020({
    strict: true,
    strictRequired: false, // `not: {required: [x]}` names properties defined elsewhere
    allowUnionTypes: true,
    allErrors: true,
  });
  // OpenAPI's own schema keywords.
  for (const k of ['example', 'discriminator', 'xml', 'externalDocs']) ajv.addKeyword(k);
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
  ajv.addFormat('int32', { type: 'number', validate: Number.isInteger });

  const problems = [];
  const compile = (schema, where) => {
    try {
      return ajv.compile(schema);
    } catch (e) {
      problems.push(`${where}: schema does not compile: ${e.message}`);
      return null;
    }
  };
  const check = (schema, value, where) => {
    const validate = compile(schema, where);
    if (validate && !validate(value)) {
      problems.push(`${where}: example does not match its schema: ${ajv.errorsText(validate.errors)}`);
    }
  };
  for (const [name, schema] of Object.entries(api.components?.schemas ?? {})) {
    const validate = compile(schema, `components.schemas.${name}`);
    for (const [i, ex] of (schema.examples ?? []).entries()) {
      if (validate && !validate(ex)) {
        problems.push(`components.schemas.${name}.examples[${i}]: ${ajv.errorsText(validate.errors)}`);
      }
    }
  }
  const checkMedia = (content, where) => {
    for (const [type, media] of Object.entries(content ?? {})) {
      if (!media.schema) {
        problems.push(`${where} ${type}: no schema`);
        continue;
      }
      compile(media.schema, `${where} ${type}`);
      if ('example' in media) check(media.schema, media.example, `${where} ${type} example`);
      for (const [n, ex] of Object.entries(media.examples ?? {})) {
        check(media.schema, ex.value, `${where} ${type} examples.${n}`);
      }
    }
  };
  for (const { method, path: p, op, pathItem } of operations(api)) {
    const where = `${method} ${p}`;
    for (const param of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
      compile(param.schema, `${where} parameter ${param.name}`);
      if ('example' in param) check(param.schema, param.example, `${where} parameter ${param.name}`);
    }
    checkMedia(op.requestBody?.content, `${where} request`);
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      checkMedia(response.content, `${where} ${status}`);
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

// ------------------------------------------------------------------ (b)

function registeredRoutes() {
  if (process.env.CHOLLIMA_ROUTES_FILE) {
    return readFileSync(process.env.CHOLLIMA_ROUTES_FILE, 'utf8');
  }
  const bin = process.env.CHOLLIMA_BIN;
  const run = (args) => spawnSync(bin, args, { encoding: 'utf8', timeout: 60_000 });
  let r = run(['serve', '--routes']);
  if (r.status !== 0 && !r.error) {
    // `serve` may insist on a store: give it an empty one.
    const dir = mkdtempSync(path.join(tmpdir(), 'chollima-routes-'));
    try {
      const db = path.join(dir, 'routes.db');
      const init = run(['init', '--db', db]);
      assert.equal(init.status, 0, `${bin} init --db ${db} failed:\n${init.stderr}`);
      r = run(['serve', '--db', db, '--routes']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  assert.ifError(r.error);
  assert.equal(r.status, 0, `${bin} serve --routes exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

test(
  '(b) the operations are exactly the routes the server registers',
  {
    skip:
      !process.env.CHOLLIMA_BIN && !process.env.CHOLLIMA_ROUTES_FILE
        ? 'CHOLLIMA_BIN is unset: set it to the chollima binary to compare routes'
        : false,
  },
  () => {
    const lines = registeredRoutes()
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    for (const l of lines) assert.match(l, /^[A-Z]+ \/\S*$/, `not "METHOD /path": ${l}`);
    const routes = new Set(lines);
    assert.equal(routes.size, lines.length, 'the server lists a route twice');
    const documented = new Set(operations(api).map(({ method, path: p }) => `${method} ${p}`));
    const undocumented = [...routes].filter((r) => !documented.has(r)).sort();
    const unserved = [...documented].filter((r) => !routes.has(r)).sort();
    assert.deepEqual(
      { undocumented, unserved },
      { undocumented: [], unserved: [] },
      [
        undocumented.length ? `registered but not in docs/openapi.yaml:\n  ${undocumented.join('\n  ')}` : '',
        unserved.length ? `in docs/openapi.yaml but not registered:\n  ${unserved.join('\n  ')}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  },
);

// ------------------------------------------------------------------ (c)

test('(c) every operation has an operationId, a 4xx answer, its path parameters and roles', () => {
  const problems = [];
  const ids = new Map();
  const securityOf = (op) => op.security ?? api.security ?? [];
  for (const { method, path: p, op, pathItem } of operations(api)) {
    const where = `${method} ${p}`;
    if (!op.operationId) {
      problems.push(`${where}: no operationId`);
    } else if (ids.has(op.operationId)) {
      problems.push(`${where}: operationId ${op.operationId} is also ${ids.get(op.operationId)}'s`);
    } else {
      ids.set(op.operationId, where);
    }
    const statuses = Object.keys(op.responses ?? {});
    if (!statuses.some((s) => /^4(\d\d|XX)$/.test(s))) problems.push(`${where}: no 4xx response`);
    if (!statuses.some((s) => /^2(\d\d|XX)$/.test(s))) problems.push(`${where}: no 2xx response`);

    // Path parameters: each {name} of the path declared `in: path`, and no others.
    const inPath = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    const params = [...(pathItem.parameters ?? []), ...(op.parameters ?? [])];
    const declared = params.filter((x) => x.in === 'path').map((x) => x.name).sort();
    if (JSON.stringify(inPath) !== JSON.stringify(declared)) {
      problems.push(`${where}: path parameters ${declared} do not match the path's ${inPath}`);
    }
    const seen = new Set();
    for (const x of params) {
      const key = `${x.in}:${x.name}`;
      if (seen.has(key) && !(pathItem.parameters ?? []).includes(x)) {
        problems.push(`${where}: parameter ${key} twice`);
      }
      seen.add(key);
    }

    // Who may call it, consistent with the security requirements.
    const roles = op['x-chollima-roles'];
    const security = securityOf(op);
    const isPublic = security.length === 0 || security.some((r) => Object.keys(r).length === 0);
    if (!Array.isArray(roles) || roles.length === 0) {
      problems.push(`${where}: no x-chollima-roles`);
    } else {
      for (const r of roles) if (!ROLES.includes(r)) problems.push(`${where}: unknown role ${r}`);
      if (isPublic !== roles.includes('anyone')) {
        problems.push(`${where}: x-chollima-roles ${roles} disagrees with its security`);
      }
    }
    if (!isPublic) {
      if (!op.responses?.['401']) problems.push(`${where}: needs credentials but documents no 401`);
      const restricted = roles && !roles.includes('viewer');
      if (restricted && !op.responses?.['403']) problems.push(`${where}: restricted but no 403`);
      // A session write must carry the CSRF header.
      for (const requirement of security) {
        if ('session' in requirement && method !== 'GET' && !('csrf' in requirement)) {
          problems.push(`${where}: the session cookie without the csrf header`);
        }
      }
    }
    if (op.requestBody && !op.responses?.['413']) problems.push(`${where}: takes a body but no 413`);
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

// Error answers use the one Error schema.
test('(c) every 4xx and 5xx answer is an Error', () => {
  const problems = [];
  for (const { method, path: p, op } of operations(raw)) {
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      if (!/^[45]/.test(status)) continue;
      const resolved = response.$ref
        ? raw.components.responses[response.$ref.split('/').pop()]
        : response;
      const schema = resolved?.content?.['application/json']?.schema;
      if (schema?.$ref !== '#/components/schemas/Error') {
        problems.push(`${method} ${p} ${status}: not an application/json Error`);
      }
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});
