// Validates the Kubernetes manifests offline (no cluster, no API server):
//  1. every document against the Kubernetes schema of its apiVersion/kind (npm kubernetes-models:
//     types, required fields, formats);
//  2. no unknown or misspelt field (TypeScript's excess-property check over kubernetes-models'
//     types; the schemas alone accept any extra field);
//  3. the references between documents: selectors and labels, named ports, the HPA's and the
//     Ingress's targets, ConfigMap volumes, the kustomization's resource list;
//  4. the scripts ConfigMap that `kubectl create configmap --from-file=scripts/` would make.
// Run it through ./validate, which installs the npm packages into a scratch folder:
//   node validate.mjs MANIFEST_DIR SCRIPTS_DIR
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

const [manifestDir, scriptsDir] = process.argv.slice(2).map((path) => resolve(path));
if (!manifestDir || !scriptsDir) {
  console.error("usage: node validate.mjs MANIFEST_DIR SCRIPTS_DIR");
  process.exit(2);
}
const SCRIPTS_CONFIGMAP = "metropolis-scripts";
const CONFIGMAP_MAX_BYTES = 1024 * 1024;

let passed = 0;
const failures = [];
const check = (what, problems) => {
  if (problems.length === 0) {
    passed++;
    console.log(`ok    ${what}`);
  } else {
    failures.push(what);
    console.log(`FAIL  ${what}`);
    for (const problem of problems) console.log(`        ${problem}`);
  }
};

// ---- Load ------------------------------------------------------------------------------------
const files = readdirSync(manifestDir).filter((name) => name.endsWith(".yaml")).sort();
const docs = [];
for (const file of files) {
  parseAllDocuments(readFileSync(join(manifestDir, file), "utf8")).forEach((doc, index) => {
    if (doc.errors.length) {
      check(`${file} #${index + 1}: YAML`, doc.errors.map((error) => error.message));
      return;
    }
    const body = doc.toJS();
    if (body) docs.push({ file, index, body, name: `${file}: ${body.kind} ${body.metadata?.name ?? "(no name)"}` });
  });
}
const kustomization = docs.find((doc) => doc.body.kind === "Kustomization");
const resources = docs.filter((doc) => doc !== kustomization);

// The ConfigMap kubectl makes from the scripts folder: one key per script file.
const scriptFiles = readdirSync(scriptsDir).filter((name) => /\.(py|js|mjs)$/.test(name)).sort();
resources.push({
  file: "(generated)",
  name: `kubectl create configmap ${SCRIPTS_CONFIGMAP} --from-file=${scriptsDir}`,
  body: {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: SCRIPTS_CONFIGMAP },
    data: Object.fromEntries(scriptFiles.map((name) => [name, readFileSync(join(scriptsDir, name), "utf8")])),
  },
});

// ---- 1. Schemas --------------------------------------------------------------------------------
const modelPath = ({ apiVersion, kind }) => `kubernetes-models/${apiVersion}/${kind}`;
for (const doc of resources) {
  const problems = [];
  try {
    const module = await import(modelPath(doc.body));
    new module[doc.body.kind](doc.body).validate();
  } catch (error) {
    problems.push(error.code === "ERR_MODULE_NOT_FOUND" ? `unknown apiVersion/kind ${doc.body.apiVersion} ${doc.body.kind}` : error.message);
  }
  if (doc.body.kind === "ConfigMap" && doc.body.metadata.name === SCRIPTS_CONFIGMAP) {
    const keys = Object.keys(doc.body.data);
    if (keys.length === 0) problems.push(`no *.py, *.js or *.mjs file in ${scriptsDir}`);
    for (const key of keys) if (!/^[-._a-zA-Z0-9]+$/.test(key)) problems.push(`"${key}" is not a valid ConfigMap key`);
    const bytes = keys.reduce((sum, key) => sum + Buffer.byteLength(doc.body.data[key]), 0);
    if (bytes > CONFIGMAP_MAX_BYTES) problems.push(`${bytes} bytes of scripts: a ConfigMap holds at most 1 MiB (use a volume)`);
  }
  check(`schema  ${doc.name}`, problems);
}

// ---- 2. Unknown fields -------------------------------------------------------------------------
// One TypeScript file per document: a literal passed to the model's constructor is checked for
// excess properties at every depth ("'readinesProbe' does not exist ... Did you mean ...").
const scratch = join(process.cwd(), ".typecheck");
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch);
const typed = resources.filter((doc) => doc.file !== "(generated)");
typed.forEach((doc, i) => {
  const { apiVersion, kind, ...rest } = doc.body; // the constructor sets these two itself
  writeFileSync(join(scratch, `doc${i}.ts`),
    `import { ${kind} } from "${modelPath(doc.body)}";\nnew ${kind}(${JSON.stringify(rest, null, 2)});\n`);
});
let typeErrors = "";
try {
  execFileSync(join(process.cwd(), "node_modules", ".bin", "tsc"),
    ["--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022",
      ...typed.map((_, i) => join(scratch, `doc${i}.ts`))], { encoding: "utf8" });
} catch (error) {
  typeErrors = error.stdout || String(error);
}
typed.forEach((doc, i) => {
  const problems = typeErrors.split("\n")
    .filter((line) => line.includes(`doc${i}.ts(`))
    .map((line) => line.replace(/^.*doc\d+\.ts\((\d+),\d+\): error TS\d+: /, "")); // keep the message
  check(`fields  ${doc.name}`, problems);
});
rmSync(scratch, { recursive: true, force: true });

// ---- 3. References -----------------------------------------------------------------------------
const byKind = (kind) => resources.filter((doc) => doc.body.kind === kind);
const workloads = [...byKind("Deployment"), ...byKind("StatefulSet")];
const labelsOf = (workload) => workload.body.spec.template.metadata?.labels ?? {};
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);
const containerPorts = (workload) => workload.body.spec.template.spec.containers.flatMap((container) => container.ports ?? []);
const problems = [];
for (const workload of workloads) {
  const { spec } = workload.body;
  if (!matches(spec.selector.matchLabels, labelsOf(workload))) problems.push(`${workload.name}: selector does not match the pod labels`);
  for (const container of spec.template.spec.containers) {
    const names = (container.ports ?? []).map((port) => port.name);
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      const port = container[probe]?.httpGet?.port;
      if (typeof port === "string" && !names.includes(port)) problems.push(`${workload.name}: ${probe} uses port "${port}", not a port of ${container.name}`);
    }
  }
  for (const volume of spec.template.spec.volumes ?? []) {
    if (volume.configMap && !byKind("ConfigMap").some((doc) => doc.body.metadata.name === volume.configMap.name)) {
      problems.push(`${workload.name}: volume ${volume.name} needs ConfigMap ${volume.configMap.name}, defined nowhere`);
    }
  }
}
for (const service of byKind("Service")) {
  const targets = workloads.filter((workload) => matches(service.body.spec.selector, labelsOf(workload)));
  if (targets.length === 0) problems.push(`${service.name}: selects no workload`);
  for (const port of service.body.spec.ports) {
    const target = port.targetPort ?? port.port;
    if (typeof target === "string" && !targets.some((workload) => containerPorts(workload).some((p) => p.name === target))) {
      problems.push(`${service.name}: targetPort "${target}" is no container port of what it selects`);
    }
  }
}
for (const hpa of byKind("HorizontalPodAutoscaler")) {
  const { kind, name } = hpa.body.spec.scaleTargetRef;
  if (!resources.some((doc) => doc.body.kind === kind && doc.body.metadata.name === name)) problems.push(`${hpa.name}: scales ${kind} ${name}, defined nowhere`);
}
for (const pdb of byKind("PodDisruptionBudget")) {
  if (!workloads.some((workload) => matches(pdb.body.spec.selector.matchLabels, labelsOf(workload)))) problems.push(`${pdb.name}: selects no workload`);
}
for (const ingress of byKind("Ingress")) {
  for (const rule of ingress.body.spec.rules ?? []) {
    for (const path of rule.http?.paths ?? []) {
      const { name, port } = path.backend.service;
      const service = byKind("Service").find((doc) => doc.body.metadata.name === name);
      if (!service) problems.push(`${ingress.name}: backend Service ${name} defined nowhere`);
      else if (port.name && !service.body.spec.ports.some((p) => p.name === port.name)) problems.push(`${ingress.name}: Service ${name} has no port "${port.name}"`);
    }
  }
}
if (kustomization) {
  const listed = kustomization.body.resources ?? [];
  for (const resource of listed) if (!existsSync(join(manifestDir, resource))) problems.push(`kustomization.yaml lists ${resource}, which does not exist`);
  for (const file of files) {
    if (file !== "kustomization.yaml" && statSync(join(manifestDir, file)).isFile() && !listed.includes(file)) problems.push(`kustomization.yaml does not list ${file}`);
  }
}
check("references between the documents", problems);

console.log(`\n${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
