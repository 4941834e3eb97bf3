// Validates an Aspire manifest against its JSON schema: node validate-manifest.mjs <schema.json> <manifest.json>
// Exit 0 when valid; 1 with every violation listed otherwise.
import { readFileSync } from "node:fs";
import Ajv from "ajv";

const [schemaPath, manifestPath] = process.argv.slice(2);
if (!schemaPath || !manifestPath) {
  console.error("usage: node validate-manifest.mjs <schema.json> <manifest.json>");
  process.exit(2);
}

const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
// The published schema uses draft-07 and a few annotation keywords Ajv's strict mode does not know.
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

if (validate(manifest)) {
  console.log(`${manifestPath}: valid against ${schema.$id ?? schemaPath} (${Object.keys(manifest.resources).length} resources)`);
} else {
  for (const error of validate.errors) {
    console.error(`${manifestPath}${error.instancePath || "/"}: ${error.message} ${JSON.stringify(error.params)}`);
  }
  process.exit(1);
}
