// Strip the TypeScript of the app's services (consent.ts, styles.ts, fusion.ts, exports.ts)
// down to the JavaScript Node 20 runs: no TypeScript tool is installed here, so this handles
// exactly the syntax those files use, by scanning characters (strings and comments skipped),
// and fails loudly on anything else:
//   - `export interface Name { ... }` blocks and imports from '../types/...': removed;
//   - `: Type` annotations of a function's (or arrow function's, or object method's)
//     parameters and return, and of `const name: Type`; default values are kept;
//   - a parameter's optional mark `name?:`;
//   - type arguments of a call, `apiClient.get<Type>(`: removed;
//   - `import apiClient from './api'` (any name): pointed at the test's shim (api.mjs).
// Usage: node strip_types.mjs IN.ts OUT.mjs

import { readFileSync, writeFileSync } from "node:fs";

const CLOSERS = { "(": ")", "{": "}", "[": "]", "<": ">" };

/** The index just past the string or comment starting at i, or i when there is none. */
function skipLiteral(src, i) {
  const c = src[i];
  if (c === "'" || c === '"' || c === "`") {
    let j = i + 1;
    while (src[j] !== c) j += src[j] === "\\" ? 2 : 1;
    return j + 1;
  }
  if (src.startsWith("//", i)) return src.indexOf("\n", i);
  if (src.startsWith("/*", i)) return src.indexOf("*/", i) + 2;
  return i;
}

/** The index of the bracket closing the one at `open`. */
function matching(src, open) {
  const stack = [];
  for (let i = open; i < src.length; i++) {
    const past = skipLiteral(src, i);
    if (past !== i) { i = past - 1; continue; }
    if (CLOSERS[src[i]]) stack.push(CLOSERS[src[i]]);
    else if (src[i] === stack[stack.length - 1] && (src[i] !== ">" || src[i - 1] !== "=")) {
      stack.pop();
      if (!stack.length) return i;
    }
  }
  throw new Error(`unbalanced bracket at ${open}`);
}

/** The end of a type starting at i: the first of `stops` outside any bracket. */
function typeEnd(src, i, stops) {
  for (let j = i; j < src.length; j++) {
    if (stops.includes(src[j])) return j;
    if (CLOSERS[src[j]] && src[j] !== "{") j = matching(src, j);
    else if (src[j] === "{" && !stops.includes("{")) j = matching(src, j);
  }
  throw new Error(`no end of type at ${i}`);
}

const word = /[A-Za-z0-9_$]/;

function strip(src) {
  let out = "";
  let i = 0;
  while (i < src.length) {
    const past = skipLiteral(src, i);
    if (past !== i) { out += src.slice(i, past); i = past; continue; }
    const rest = src.slice(i, i + 40);
    if (rest.startsWith("export interface ")) {
      i = matching(src, src.indexOf("{", i)) + 1;
      continue;
    }
    const client = /^import (\w+) from '\.\/api';/.exec(rest);
    if (client) {
      out += `import ${client[1]} from './api.mjs';`;
      i += client[0].length;
      continue;
    }
    if (rest.startsWith("import ") && /^import[^;]*from '\.\.\/types\/[\w/]+';/.test(src.slice(i))) {
      i = src.indexOf(";", i) + 1; // types only: nothing to run
      continue;
    }
    const method = /^async ([A-Za-z_$][\w$]*)\s*\(/.exec(rest);
    if (rest.startsWith("function ") || rest.startsWith("async function ") || method) {
      const open = src.indexOf("(", i);
      const close = matching(src, open);
      out += src.slice(i, open) + params(src.slice(open + 1, close));
      i = close + 1;
      if (/^\s*:/.test(src.slice(i))) i = typeEnd(src, src.indexOf(":", i) + 1, ["{"]);
      continue;
    }
    if (src[i] === "(" && !word.test(src[i - 1] || "")) {
      const close = matching(src, i);
      const after = src.slice(close + 1);
      const typed = /^\s*:/.test(after);
      if (typed || /^\s*=>/.test(after)) { // an arrow function's parameters (and return type)
        out += params(src.slice(i + 1, close)) + " ";
        i = close + 1;
        if (typed) i = typeEnd(src, src.indexOf(":", i) + 1, ["="]);
        continue;
      }
    }
    const declared = /^(const|let) ([A-Za-z_$][\w$]*)\s*:/.exec(rest);
    if (declared) {
      out += `${declared[1]} ${declared[2]} `;
      i = typeEnd(src, i + declared[0].length, ["="]);
      continue;
    }
    if (src[i] === "<" && word.test(src[i - 1] || "")) {
      const close = matching(src, i);
      if (src[close + 1] === "(") { i = close + 1; continue; } // a call's type arguments
    }
    out += src[i];
    i += 1;
  }
  return out;
}

/** A parameter list without its annotations: `(a?: string, b: T = 1)` → `(a, b = 1)`. */
function params(list) {
  const names = [];
  let i = 0;
  while (i < list.length) {
    const name = /^\s*([A-Za-z_$][\w$]*)\??\s*(:)?/.exec(list.slice(i));
    if (!name) break;
    i += name[0].length;
    if (name[2]) i = typeEnd(list + ",", i, [",", "="]);
    let shown = name[1];
    if (list[i] === "=") { // a default value: kept, up to the next comma outside brackets
      const end = typeEnd(list + ",", i + 1, [","]);
      shown += ` = ${list.slice(i + 1, end).trim()}`;
      i = end;
    }
    names.push(shown);
    i += 1; // the comma
  }
  return `(${names.join(", ")})`;
}

const [input, output] = process.argv.slice(2);
writeFileSync(output, strip(readFileSync(input, "utf8")));
