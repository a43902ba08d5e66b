// Validates every manifest under the given folder against the Kubernetes
// and KEDA schemas (kubernetes-models, @kubernetes-models/keda). Exits 1 on
// the first invalid document, naming the file, the object and the error.
//
//   npm ci && node check.mjs ../k8s
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const modules = (apiVersion) => {
  if (apiVersion.startsWith("keda.sh/")) return `@kubernetes-models/keda/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
};

async function validate(doc) {
  const mod = await import(modules(doc.apiVersion));
  const Model = mod[doc.kind];
  if (!Model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc).validate();
}

// The validator must refuse a wrong document, or passing proves nothing.
async function selfTest() {
  const bad = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" },
    spec: { replicas: "two", selector: {}, template: {} } };
  try {
    await validate(bad);
  } catch {
    return;
  }
  throw new Error("self-test: a Deployment with replicas \"two\" passed validation");
}

const dir = process.argv[2] ?? "../k8s";
await selfTest();
let n = 0;
for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
  for (const d of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
    const doc = d.toJS();
    if (!doc) continue;
    try {
      await validate(doc);
    } catch (e) {
      console.error(`${file}: ${doc.kind} ${doc.metadata?.name}: ${e.message}`);
      process.exit(1);
    }
    console.log(`ok  ${file}: ${doc.apiVersion} ${doc.kind} ${doc.metadata?.name}`);
    n++;
  }
}
console.log(`${n} manifests valid`);
