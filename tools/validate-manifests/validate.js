// Validates every object of a multi-document YAML stream against the Kubernetes OpenAPI schemas
// (kubernetes-models); prints one line per object, exits 1 if any is invalid or of an unknown kind.
const fs = require("fs");
const yaml = require("js-yaml");
let failed = 0;
for (const doc of yaml.loadAll(fs.readFileSync(process.argv[2], "utf8"))) {
  if (!doc) continue;
  const [group, version] = doc.apiVersion.includes("/") ? doc.apiVersion.split("/") : ["", doc.apiVersion];
  const dir = group === "" ? version : `${group}/${version}`;
  let Model;
  try {
    Model = require(`kubernetes-models/${dir}/${doc.kind}`)[doc.kind];
  } catch (e) {
    console.log(`UNKNOWN ${doc.apiVersion} ${doc.kind} ${doc.metadata.name}`);
    failed++;
    continue;
  }
  try {
    new Model(doc).validate();
    console.log(`ok ${doc.kind} ${doc.metadata.name}`);
  } catch (e) {
    console.log(`INVALID ${doc.kind} ${doc.metadata.name}: ${e.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
