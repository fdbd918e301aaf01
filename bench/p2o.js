// postman2openapi's library (npm, WebAssembly) as a command: p2o.js MODULE_DIR IN.json OUT.json
const fs = require("fs");
const { transpile } = require(process.argv[2]);
const collection = JSON.parse(fs.readFileSync(process.argv[3], "utf8").replace(/^\uFEFF/, ""));
fs.writeFileSync(process.argv[4], JSON.stringify(transpile(collection), null, 2));
