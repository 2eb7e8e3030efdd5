// Preloaded (node --require) into the dynamic-provider host by bench/cold-start-profile.ts: times
// every require() in the process, in wall-clock and in CPU time (the process's, all threads; on a
// loaded machine it moves far less than wall-clock). Module._load is wrapped, so each module's
// time includes resolving, reading, compiling and running it; "self" leaves out the modules it
// required. After every top-level require the totals so far are written to $LOAD_TIMING_FILE as JSON.
const Module = require("node:module");
const { writeFileSync } = require("node:fs");
const { performance } = require("node:perf_hooks");

const out = process.env.LOAD_TIMING_FILE;
/**
 * Per resolved file: inclusive and self ms of its first load, wall-clock (`ms`, `self`) and CPU
 * (`cpu`, `cpuSelf`), when it started, its top-level require.
 */
const modules = new Map();
const stack = [];
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const original = Module._load;

Module._load = function timedLoad(request, parent, isMain) {
  let file = request;
  try {
    file = Module._resolveFilename(request, parent, isMain);
  } catch {
    // Left to the real loader to report.
  }
  if (modules.has(file) || Module._cache[file] || file.startsWith("node:") || !file.includes("/"))
    return original.apply(this, arguments);
  const frame = {
    file,
    root: stack.length > 0 ? stack[0].file : file,
    children: 0,
    cpuChildren: 0,
    start: performance.now(),
    cpuStart: cpuMs(),
  };
  stack.push(frame);
  try {
    return original.apply(this, arguments);
  } finally {
    stack.pop();
    const ms = performance.now() - frame.start;
    const cpu = cpuMs() - frame.cpuStart;
    modules.set(file, {
      ms,
      self: ms - frame.children,
      cpu,
      cpuSelf: cpu - frame.cpuChildren,
      at: frame.start,
      root: frame.root,
    });
    if (stack.length > 0) {
      stack[stack.length - 1].children += ms;
      stack[stack.length - 1].cpuChildren += cpu;
    } else if (out) writeFileSync(out, JSON.stringify([...modules].map(([f, m]) => ({ file: f, ...m }))));
  }
};

// With $CPU_PROFILE_FILE, a V8 CPU profile of the whole process (100 µs samples) is written there
// when the process is stopped (SIGTERM): node's own --cpu-prof writes only on a normal exit.
if (process.env.CPU_PROFILE_FILE) {
  const inspector = require("node:inspector");
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 100 });
  session.post("Profiler.start");
  process.on("SIGTERM", () => {
    session.post("Profiler.stop", (err, result) => {
      if (!err) writeFileSync(process.env.CPU_PROFILE_FILE, JSON.stringify(result.profile));
      process.exit(0);
    });
  });
}
