#!/usr/bin/env node
// The ink runtime (inkjs 2.4.0) as a peer of Parley's engine, for benchmarks/bench_engine.py.
//
//   node run_ink.js compile STORY.ink STORY.json          compile ink source with inkjs's compiler
//   node run_ink.js time STORY.json SECONDS SEED [WARMUP] timing: quiet, then with log, then us per
//                                                          ResetState (one JSON line)
//   node run_ink.js path STORY.json STEPS.json            follow Parley's recorded steps (one JSON line)
//   node run_ink.js reset STORY.json COUNT                us per ResetState (a new playthrough)
//
// The story comes from benchmarks/ink_story.py: every knot's first line is tagged with the knot's
// name, every choice with its `c_...` tag, and weighted outcomes call the EXTERNAL drawK(w0..wK-1).
//
// Timing: at each step Continue until !canContinue, pick uniformly among currentChoices with a
// seeded PRNG (mulberry32), ChooseChoiceIndex; at an ending ResetState and go on. Only the play loop
// is timed (not loading, not compiling). "quiet" does nothing else (ContinueMaximally); "with log"
// also pushes JSON.stringify({text, tags, choices, chosen}) per step to an array, the equivalent of
// Parley's event log (a new array per playthrough, as Parley's log is per session). drawK draws
// with the same PRNG by the weights it gets. Wall-clock and CPU time (process.cpuUsage) are reported.
"use strict";

const fs = require("fs");
const path = require("path");

function loadInk() {
  // inkjs/full has the compiler; resolved from this folder's node_modules.
  return require(require.resolve("inkjs/full", { paths: [__dirname] }));
}

function inkjsVersion() {
  const file = path.join(__dirname, "node_modules", "inkjs", "package.json");
  try { return JSON.parse(fs.readFileSync(file, "utf8")).version; } catch (e) { return null; }
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weightedPick(rng, weights) {
  let total = 0;
  for (const w of weights) total += w;
  let r = rng() * total;
  let last = 0;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] > 0) {
      last = i;
      r -= weights[i];
      if (r < 0) return i;
    }
  }
  return last;
}

function loadStory(ink, jsonPath) {
  return new ink.Story(fs.readFileSync(jsonPath, "utf8"));
}

function bindDraws(story, fn) {
  for (let k = 1; k <= 16; k++) {
    // lookaheadSafe = false: ink never calls it speculatively, so each decision draws once.
    story.BindExternalFunction("draw" + k, (...weights) => fn(weights), false);
  }
}

function compile(inkPath, jsonPath) {
  const ink = loadInk();
  const t0 = process.hrtime.bigint();
  const compiler = new ink.Compiler(fs.readFileSync(inkPath, "utf8"));
  let story;
  try {
    story = compiler.Compile();
  } catch (e) {
    story = null;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!story || compiler.errors.length) {
    console.log(JSON.stringify({ ok: false, errors: compiler.errors.slice(0, 20), warnings: compiler.warnings.slice(0, 20) }));
    process.exit(1);
  }
  const json = story.ToJson();
  const tmp = `${jsonPath}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, json);
  fs.renameSync(tmp, jsonPath); // atomic: another run never reads half a file

  console.log(JSON.stringify({ ok: true, compile_ms: ms, warnings: compiler.warnings.length, json_bytes: json.length }));
}

// CPU seconds (user + system, every thread of the process: V8's GC helpers too) since `cpu0`.
function cpuSince(cpu0) {
  const d = process.cpuUsage(cpu0);
  return (d.user + d.system) / 1e6;
}

function playQuiet(story, rng, seconds) {
  let count = 0, ended = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  for (;;) {
    for (let i = 0; i < 256; i++) {
      story.ContinueMaximally();
      const choices = story.currentChoices;
      if (choices.length === 0) { // an ending: a new playthrough
        ended++;
        story.ResetState();
        story.ContinueMaximally();
      }
      story.ChooseChoiceIndex(Math.floor(rng() * story.currentChoices.length));
    }
    count += 256;
    const elapsed = process.hrtime.bigint() - start;
    if (elapsed >= limit) return { choices: count, seconds: Number(elapsed) / 1e9, cpu_seconds: cpuSince(cpu0), playthroughs: ended };
  }
}

function step(story) {
  let text = "";
  const tags = [];
  while (story.canContinue) {
    text += story.Continue();
    const t = story.currentTags;
    if (t && t.length) for (const x of t) tags.push(x);
  }
  return { text, tags };
}

function playLog(story, rng, seconds) {
  let count = 0, ended = 0, records = 0;
  let log = [];
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  for (;;) {
    for (let i = 0; i < 256; i++) {
      let out = step(story);
      if (story.currentChoices.length === 0) {
        log.push(JSON.stringify({ text: out.text, tags: out.tags, choices: [], chosen: null }));
        records += log.length;
        ended++;
        log = [];
        story.ResetState();
        out = step(story);
      }
      const choices = story.currentChoices;
      const index = Math.floor(rng() * choices.length);
      log.push(JSON.stringify({ text: out.text, tags: out.tags, choices: choices.map((c) => c.text), chosen: index }));
      story.ChooseChoiceIndex(index);
    }
    count += 256;
    const elapsed = process.hrtime.bigint() - start;
    if (elapsed >= limit) {
      return { choices: count, seconds: Number(elapsed) / 1e9, cpu_seconds: cpuSince(cpu0), playthroughs: ended,
        records: records + log.length };
    }
  }
}

function time(jsonPath, seconds, seed, warmup) {
  const ink = loadInk();
  const t0 = process.hrtime.bigint();
  const story = loadStory(ink, jsonPath);
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const rng = mulberry32(seed * 2654435761 + 1);
  bindDraws(story, (weights) => weightedPick(rng, weights));
  if (warmup > 0) { playQuiet(story, rng, warmup); playLog(story, rng, warmup); }
  story.ResetState();
  const quiet = playQuiet(story, rng, seconds);
  story.ResetState();
  const withLog = playLog(story, rng, seconds);
  const resets = 2000;
  const r0 = process.hrtime.bigint();
  for (let i = 0; i < resets; i++) story.ResetState();
  const resetUs = Number(process.hrtime.bigint() - r0) / 1e3 / resets;
  console.log(JSON.stringify({
    ok: true, inkjs: inkjsVersion(),
    node: process.version, load_ms: loadMs, quiet, log: withLog,
    reset_us: resetUs, quiet_us: (quiet.seconds * 1e6) / quiet.choices,
    quiet_cpu_us: (quiet.cpu_seconds * 1e6) / quiet.choices, log_cpu_us: (withLog.cpu_seconds * 1e6) / withLog.choices, log_us: (withLog.seconds * 1e6) / withLog.choices,
  }));
}

function reset(jsonPath, count) {
  const ink = loadInk();
  const story = loadStory(ink, jsonPath);
  for (let i = 0; i < 200; i++) story.ResetState();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) story.ResetState();
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / count;
  console.log(JSON.stringify({ ok: true, reset_us: us }));
}

// Path mode. STEPS.json: {"steps": [{"choice": "c_...", "outcome": index or null}, ...]}.
// Prints {"knots": [...], "offered": [[choice tags], ...], "draws": [[weights], ...], "errors": [...],
// "values": [{v_...: value}, ...]}: the knot entered and the variables' values on entering it, per step.
function followPath(jsonPath, stepsPath) {
  const ink = loadInk();
  const story = loadStory(ink, jsonPath);
  const spec = JSON.parse(fs.readFileSync(stepsPath, "utf8"));
  const knots = [], offered = [], draws = [], errors = [], values = [];
  const names = Array.from(story.variablesState._globalVariables.keys()).filter((n) => n.startsWith("v_"));
  const snapshot = () => { const v = {}; for (const n of names) v[n] = story.variablesState[n]; values.push(v); };
  let pending = null;
  bindDraws(story, (weights) => {
    draws.push(weights);
    if (pending === null) { errors.push("drawK called where Parley drew no outcome"); return 0; }
    const k = pending;
    pending = null;
    if (!(k >= 0 && k < weights.length) || !(weights[k] > 0)) errors.push(`outcome ${k} has weight ${weights[k]} in ink`);
    return k;
  });
  const knotOf = (tags) => {
    const k = tags.filter((t) => t.startsWith("n_") || t.startsWith("e_"));
    return k.length ? k[0] : null;
  };
  // A choice's body (its effects and its draw) runs in the Continue after ChooseChoiceIndex.
  const checkDraw = (prev) => {
    if (prev && pending !== null) errors.push(`outcome ${pending} of ${prev.choice} was never drawn`);
    pending = null;
  };
  let prev = null;
  for (const s of spec.steps) {
    const drawn = draws.length;
    const out = step(story);
    checkDraw(prev);
    if (prev && (prev.outcome === null || prev.outcome === undefined) && draws.length !== drawn) {
      errors.push(`${prev.choice} drew an outcome in ink only`);
    }
    knots.push(knotOf(out.tags));
    snapshot();
    const tags = story.currentChoices.map((c) => (c.tags || []).find((t) => t.startsWith("c_")) || null);
    offered.push(tags);
    const index = tags.indexOf(s.choice);
    if (index < 0) { errors.push(`choice ${s.choice} not offered at ${knots[knots.length - 1]}`); break; }
    pending = s.outcome === null || s.outcome === undefined ? null : s.outcome;
    story.ChooseChoiceIndex(index);
    prev = s;
  }
  if (!errors.length) {
    const drawn = draws.length;
    const out = step(story);
    checkDraw(prev);
    if (prev && (prev.outcome === null || prev.outcome === undefined) && draws.length !== drawn) {
      errors.push(`${prev.choice} drew an outcome in ink only`);
    }
    knots.push(knotOf(out.tags));
    snapshot();
    if (story.currentChoices.length) errors.push("ink did not reach an ending");
  }
  console.log(JSON.stringify({ ok: errors.length === 0, knots, offered, draws, errors, values }));
}

function main(argv) {
  const [mode, ...rest] = argv;
  if (mode === "compile") return compile(rest[0], rest[1]);
  if (mode === "time") return time(rest[0], Number(rest[1] || 1), Number(rest[2] || 0), Number(rest[3] || 0.3));
  if (mode === "path") return followPath(rest[0], rest[1]);
  if (mode === "reset") return reset(rest[0], Number(rest[1] || 10000));
  console.error("usage: node " + path.basename(__filename) + " compile|time|path|reset ...");
  process.exit(2);
}

main(process.argv.slice(2));
