// CommonJS require() for JavaScript tasks, evaluated once per context before the task script.
// GraalJS' own Node-style loader (js.commonjs-require) is refused by the CONSTRAINED sandbox, so
// the host resolves and reads modules (CommonJsModules.java: scripts folder only, read-only,
// node_modules looked up as Node does) and this keeps Node's per-context module cache and scoping.
(function (load) {
  'use strict';
  const cache = new Map();
  function makeRequire(from) {
    return function require(specifier) {
      const found = load(String(specifier), from);
      if (found[0] !== 0) {
        throw new Error(found[1]);
      }
      const file = found[1];
      const cached = cache.get(file);
      if (cached !== undefined) {
        return cached.exports; // a cycle sees the exports so far, as in Node
      }
      const module = { exports: {}, id: file, filename: file, loaded: false };
      cache.set(file, module);
      found[2](module.exports, makeRequire(file), module, file, file.substring(0, file.lastIndexOf('/')));
      module.loaded = true;
      return module.exports;
    };
  }
  return makeRequire;
})
