/** `npm run schema`: regenerates the committed JSON Schema from the zod schema. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JSON_SCHEMA_FILE, renderJsonSchema } from './json-schema.js';

writeFileSync(JSON_SCHEMA_FILE, renderJsonSchema());
console.log(`Wrote ${fileURLToPath(JSON_SCHEMA_FILE)}.`);
