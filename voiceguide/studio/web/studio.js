// voiceguide studio: the composer's page. It edits a routine as the table a routine file holds and sends
// it whole to the server (voiceguide/studio/app.py), which checks it with the routine-file loader and
// answers with the timed script, or with the loader's message and the field's path (steps[1].hold),
// shown here beside that field. No framework, nothing fetched from elsewhere.
"use strict";

const API = "_studio/";
// With `voiceguide studio --lan` the address carries a token; every request sends it (app.py, TokenCheck).
const TOKEN = new URLSearchParams(location.search).get("token") || "";
const withToken = (url) => (TOKEN ? `${url}${url.includes("?") ? "&" : "?"}token=${encodeURIComponent(TOKEN)}` : url);
const get = (path, init = {}) => fetch(API + path, { ...init, headers: TOKEN ? { "X-Studio-Token": TOKEN } : {} });
const state = { catalog: null, byId: new Map(), routine: { title: "", steps: [] }, seq: 0, timer: null, preview: null, job: null };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

async function post(path, body) {
  const response = await fetch(API + path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(TOKEN ? { "X-Studio-Token": TOKEN } : {}) },
    body: JSON.stringify(body),
  });
  let data = {};
  try { data = await response.json(); } catch (e) { data = { error: `The server answered ${response.status}.` }; }
  return { ok: response.ok, status: response.status, data };
}

// -- the routine as a routine file's table -------------------------------------------------------

function numberOr(text) {
  const t = String(text).trim();
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;  // anything else goes as typed: the loader says what is wrong
}

function routineTable() {
  const r = state.routine;
  const out = { title: $("title").value };
  const guidance = $("guidance").value;
  if (guidance !== "full") out.guidance = guidance;
  const laps = numberOr($("laps").value);
  if (laps !== 1) out.laps = laps;
  const avoid = [...document.querySelectorAll("#needs input:checked")].map((box) => box.value);
  if (avoid.length) out.avoid = avoid;
  for (const key of ["intro", "outro"]) {
    const lines = $(key).value.split("\n").map((line) => line.trim()).filter(Boolean);
    if (lines.length) out[key] = lines;
  }
  for (const [key, value] of Object.entries(r.extra || {})) out[key] = value;  // kept from an opened file
  const defaults = { ...(out.defaults || {}) };
  if ($("countdown").checked) delete defaults.countdown; else defaults.countdown = false;
  if (Object.keys(defaults).length) out.defaults = defaults; else delete out.defaults;
  out.steps = r.steps.map((step) => ({ ...step }));
  return out;
}

function soundTable() {
  return { rate: numberOr($("rate").value), music: $("music").value };
}

function exerciseOf(step) {
  return state.byId.get(step.stretch) || null;
}

function stepName(step) {
  const ex = exerciseOf(step);
  return ex ? ex.name : (step.name || step.stretch || "Your own stretch");
}

// -- the catalog ----------------------------------------------------------------------------------

function fillChoices() {
  const c = state.catalog;
  for (const t of c.targets) $("filter-target").append(el("option", { value: t, text: t }));
  for (const p of c.positions) $("filter-position").append(el("option", { value: p, text: p }));
  for (const g of c.guidance) $("guidance").append(el("option", { value: g, text: g }));
  for (const need of c.needs) {
    const id = `need-${need}`;
    $("needs").append(el("label", { for: id }, el("input", { type: "checkbox", id, value: need, onchange: () => { renderCatalog(); changed(); } }), need));
  }
  const [low, high] = c.limits.laps;
  Object.assign($("laps"), { min: low, max: high });
  Object.assign($("rate"), { min: c.rate.limits[0], max: c.rate.limits[1], value: c.rate.default });
  for (const m of c.music) $("music").append(el("option", { value: m, text: m === "none" ? "none" : "a calm ambient pad" }));
}

function shownExercises() {
  const query = $("search").value.trim().toLowerCase();
  const target = $("filter-target").value;
  const position = $("filter-position").value;
  const avoid = new Set([...document.querySelectorAll("#needs input:checked")].map((box) => box.value));
  return state.catalog.exercises.filter((ex) =>
    (!query || `${ex.name} ${ex.id} ${ex.benefit}`.toLowerCase().includes(query)) &&
    (!target || ex.targets.includes(target)) &&
    (!position || ex.position === position) &&
    !ex.needs.some((need) => avoid.has(need)));
}

function renderCatalog() {
  const list = $("exercises");
  list.replaceChildren();
  const shown = shownExercises();
  $("catalog-count").textContent = `${shown.length} of ${state.catalog.exercises.length} exercises`;
  for (const ex of shown) {
    const needs = ex.needs.length ? ` · needs ${ex.needs.join(", ")}` : "";
    const equipment = ex.equipment.length ? ` · ${ex.equipment.join(" or ")}` : "";
    list.append(el("li", { class: "exercise", "data-id": ex.id },
      el("h3", { text: ex.name }),
      el("p", { class: "meta", text: `${ex.position} · ${ex.targets.join(", ")} · ${ex.recommended}${equipment}${needs}` }),
      ex.caution ? el("p", { class: "caution", text: `Caution: ${ex.caution}` }) : null,
      el("details", {}, el("summary", { text: "Setup" }), el("p", { text: ex.benefit }),
        el("ol", {}, ...ex.setup.map((line) => el("li", { text: line })))),
      el("button", { type: "button", class: "add", "aria-label": `Add ${ex.name}`, text: "Add", onclick: () => addStep(ex) })));
  }
}

function addStep(ex) {
  const step = { stretch: ex.id };
  if (ex.kind === "reps") step.reps = ex.reps ? ex.reps[0] : 10;
  else step.hold = ex.hold[1];
  state.routine.steps.push(step);
  renderSteps();
  $("status").textContent = `Added ${ex.name} as step ${state.routine.steps.length}.`;
  changed();
}

// -- the steps ------------------------------------------------------------------------------------

function numberField(i, key, label, limits, value) {
  const id = `step-${i}-${key}`;
  const input = el("input", {
    id, type: "number", inputmode: "numeric", min: limits[0], max: limits[1], value,
    "data-field": `steps[${i}].${key}`, "aria-describedby": `step-${i}-error`,
  });
  input.addEventListener("input", () => { state.routine.steps[i][key] = numberOr(input.value); changed(); });
  return el("p", { class: "field" }, el("label", { for: id, text: label }), input);
}

function stepItem(step, i, count) {
  const ex = exerciseOf(step);
  const name = stepName(step);
  const limits = state.catalog.limits;
  const dose = el("div", { class: "dose" });
  const kind = ex ? ex.kind : (step.kind || "hold");
  if (kind === "reps") dose.append(numberField(i, "reps", "Reps per leg", limits.reps, step.reps ?? ""));
  else dose.append(numberField(i, "hold", ex && ex.sided ? "Hold (s, each side)" : "Hold (s)", limits.hold, step.hold ?? ""));
  if (kind === "hold") dose.append(numberField(i, "rounds", "Rounds", limits.rounds, step.rounds ?? 1));
  dose.append(numberField(i, "get_ready", "Get ready (s)", limits.get_ready, step.get_ready ?? (((state.routine.extra || {}).defaults || {}).get_ready ?? 10)));
  if (ex && ex.sided && kind === "hold") {
    const id = `step-${i}-sides`;
    const select = el("select", { id, "data-field": `steps[${i}].sides`, "aria-describedby": `step-${i}-error` },
      ...state.catalog.sides.map((s) => el("option", { value: s, text: s, selected: (step.sides || "both") === s })));
    select.addEventListener("change", () => {
      if (select.value === "both") delete state.routine.steps[i].sides; else state.routine.steps[i].sides = select.value;
      changed();
    });
    dose.append(el("p", { class: "field" }, el("label", { for: id, text: "Sides" }), select));
  }
  const move = (delta) => () => moveStep(i, delta);
  return el("li", { class: "step", id: `step-${i}` },
    el("h4", { text: `${i + 1}. ${name}` }),
    ex ? el("p", { class: "meta", text: `${ex.position} · recommended ${ex.recommended}` }) : null,
    ex && ex.caution ? el("p", { class: "caution", text: `Caution: ${ex.caution}` }) : null,
    dose,
    el("span", { class: "field-error", id: `step-${i}-error`, "data-for": `steps[${i}]` }),
    el("div", { class: "actions" },
      el("button", { type: "button", class: "quiet up", "aria-label": `Move ${name} up`, disabled: i === 0, text: "Up", onclick: move(-1) }),
      el("button", { type: "button", class: "quiet down", "aria-label": `Move ${name} down`, disabled: i === count - 1, text: "Down", onclick: move(1) }),
      el("button", { type: "button", class: "quiet remove", "aria-label": `Remove ${name}`, text: "Remove", onclick: () => removeStep(i) })));
}

function renderSteps() {
  const steps = state.routine.steps;
  $("steps").replaceChildren(...steps.map((step, i) => stepItem(step, i, steps.length)));
  $("no-steps").hidden = steps.length > 0;
}

function moveStep(i, delta) {
  const steps = state.routine.steps;
  const j = i + delta;
  if (j < 0 || j >= steps.length) return;
  [steps[i], steps[j]] = [steps[j], steps[i]];
  renderSteps();
  const again = document.querySelector(`#step-${j} button.${delta < 0 ? "up" : "down"}`);
  (again && !again.disabled ? again : document.querySelector(`#step-${j} button.remove`)).focus();
  $("status").textContent = `Moved ${stepName(steps[j])} to step ${j + 1}.`;
  changed();
}

function removeStep(i) {
  const [gone] = state.routine.steps.splice(i, 1);
  renderSteps();
  const next = document.querySelector(`#step-${Math.min(i, state.routine.steps.length - 1)} button.remove`);
  (next || $("search")).focus();
  $("status").textContent = `Removed ${stepName(gone)}.`;
  changed();
}

// -- preview, errors, handout ---------------------------------------------------------------------

function changed() {
  renderHandout();
  clearTimeout(state.timer);
  $("script").classList.add("stale");
  state.timer = setTimeout(refresh, 350);
}

function clearErrors() {
  for (const node of document.querySelectorAll("[aria-invalid=true]")) node.removeAttribute("aria-invalid");
  for (const node of document.querySelectorAll(".field-error")) node.textContent = "";
  $("error").textContent = "";
  $("program-error").textContent = "";
}

function fieldAndParents(field) {
  // steps[0].setup[1] -> steps[0].setup[1], steps[0].setup, steps[0], steps: the nearest field the page shows.
  const out = [];
  for (let f = field; f; f = f.replace(/(\.[\w-]+|\[\d+\])$/, "")) {
    out.push(f);
    if (!/(\.[\w-]+|\[\d+\])$/.test(f)) break;
  }
  return out;
}

function showError(data, form = "routine") {
  clearErrors();
  const message = data.error || "Something went wrong.";
  const scope = form === "program" ? $("program") : $("routine");
  for (const field of fieldAndParents(data.field || "")) {
    const input = scope.querySelector(`[data-field="${CSS.escape(field)}"]`);
    const holder = input ? $(input.getAttribute("aria-describedby") || "") : scope.querySelector(`[data-for="${CSS.escape(field)}"]`);
    if (input) input.setAttribute("aria-invalid", "true");
    if (holder) { holder.textContent = message; return; }
  }
  $(form === "program" ? "program-error" : "error").textContent = message;
}

async function refresh() {
  if (!state.routine.steps.length) {
    clearErrors();
    state.preview = null;
    $("script").textContent = "";
    $("duration").textContent = "Add an exercise to see the script.";
    $("warnings").replaceChildren();
    renderHandout();
    return;
  }
  const seq = ++state.seq;
  const { ok, data } = await post("preview", { routine: routineTable(), sound: soundTable() });
  if (seq !== state.seq) return;  // a newer edit is on its way
  if (!ok) { showError(data); return; }
  clearErrors();
  state.preview = data;
  $("script").textContent = data.script;
  $("script").classList.remove("stale");
  $("duration").textContent = `Length ${data.summary} · saves as ${data.file}`;
  $("warnings").replaceChildren(...data.warnings.map((w) => el("li", { text: w })));
  renderHandout();
}

function doseText(step) {
  const ex = exerciseOf(step);
  const kind = ex ? ex.kind : (step.kind || "hold");
  if (kind === "reps") return `${step.reps ?? (ex && ex.reps ? ex.reps[0] : 10)} reps per leg`;
  const sides = ex && ex.sided ? ((step.sides || "both") === "both" ? " each side" : `, ${step.sides} side only`) : "";
  const rounds = step.rounds > 1 ? `, ${step.rounds} times` : "";
  return `hold ${step.hold ?? (ex ? ex.hold[1] : 30)} s${sides}${rounds}`;
}

function renderHandout() {
  $("handout-title").textContent = state.routine.steps.length ? $("title").value : "";  // a program's alone
  $("handout-length").textContent = state.preview ? `About ${state.preview.summary}` : "";
  $("handout-steps").replaceChildren(...state.routine.steps.map((step) => {
    const ex = exerciseOf(step);
    return el("li", {}, el("strong", { text: stepName(step) }), ` · ${doseText(step)}`,
      ex ? el("p", { text: ex.setup.join(" ") }) : null,
      ex && ex.caution ? el("p", { class: "caution", text: `Caution: ${ex.caution}` }) : null);
  }));
  $("handout-safety").replaceChildren(...state.catalog.safety.map((line) => el("li", { text: line })));
  $("handout-file").textContent = state.preview
    ? `To play it on a phone: copy ${state.preview.file.replace(/\.toml$/, ".mp3")} to the phone, or run 'voiceguide serve' on this folder.`
    : "";
}

// -- save, open, build ----------------------------------------------------------------------------

async function save() {
  const { ok, data } = await post("save", { routine: routineTable() });
  if (!ok) { showError(data); return; }
  clearErrors();
  $("status").textContent = data.message;
  await loadProgramChoices();
}

async function openFile() {
  const file = $("open").files[0];
  if (!file) return;
  if (file.size > 256 * 1024) { $("error").textContent = `${file.name}: is over 256 KiB; a routine file is at most 256 KiB`; return; }
  const { ok, data } = await post("open", { name: file.name, text: await file.text() });
  if (!ok) { showError(data); return; }
  const table = data.routine;
  $("title").value = table.title || "";
  $("guidance").value = table.guidance || "full";
  $("laps").value = table.laps ?? table.rounds ?? 1;
  for (const box of document.querySelectorAll("#needs input")) box.checked = (table.avoid || []).includes(box.value);
  for (const key of ["intro", "outro"]) $(key).value = [].concat(table[key] || []).join("\n");
  $("countdown").checked = !(table.defaults && table.defaults.countdown === false);
  const extra = {};
  for (const [key, value] of Object.entries(table)) {
    if (!["title", "guidance", "laps", "rounds", "avoid", "steps", "intro", "outro"].includes(key)) extra[key] = value;
  }
  if (extra.defaults) { extra.defaults = { ...extra.defaults }; delete extra.defaults.countdown; }
  state.routine = { steps: (table.steps || []).map((step) => ({ ...step })), extra };
  renderSteps();
  $("status").textContent = `Opened ${file.name}: ${state.routine.steps.length} steps.`;
  changed();
}

async function build() {
  const { ok, data } = await post("build", { routine: routineTable(), sound: soundTable() });
  if (!ok) { showError(data); return; }
  clearErrors();
  $("result").hidden = true;
  $("build").disabled = true;
  $("cancel").disabled = false;
  delete document.body.dataset.build;
  poll(data.job);
}

async function poll(number) {
  state.job = number;
  const job = await (await get(`job?n=${number}`, { cache: "no-store" })).json();
  const bar = $("progress");
  bar.max = Math.max(job.total || 1, 1);
  bar.value = job.done || 0;
  const busy = job.state === "running" || job.state === "waiting";
  $("progress-label").textContent = job.state === "running" ? `${job.label}: ${job.done} of ${job.total}` : job.label || "";
  if (busy) { setTimeout(() => poll(number), 250); return; }
  $("build").disabled = false;
  $("cancel").disabled = true;
  $("build-status").textContent = job.message;
  if ($("program-status").textContent.startsWith("Rendering")) $("program-status").textContent = job.message;
  document.body.dataset.build = job.state;
  if (job.state !== "done") return;
  if (job.files.length === 1 && job.files[0].endsWith("-program.toml")) {
    await programHandout(job.files[0].replace(/-program\.toml$/, ""));
    await loadProgramChoices();
  }
  const [audio, ...rest] = job.files;
  $("player").hidden = !audio.endsWith(".mp3");
  if (audio.endsWith(".mp3")) $("player").src = withToken(`${API}files/${encodeURIComponent(audio)}`);
  $("downloads").replaceChildren(...job.files.map((name) =>
    el("li", {}, el("a", { href: withToken(`${API}files/${encodeURIComponent(name)}`), download: name, text: `Download ${name}` }))));
  $("result").hidden = false;
  void rest;
}

async function cancel() {
  await post("cancel", { job: state.job });
}

// -- programs -------------------------------------------------------------------------------------

const program = { phases: [], choices: null };

async function loadProgramChoices() {
  program.choices = await (await get("programs.json", { cache: "no-store" })).json();
  renderPhases();
  const folder = state.catalog.folder;
  $("rendered").replaceChildren(...(program.choices.rendered.length ? program.choices.rendered.map((p) =>
    el("li", { text: `${p.title} (${p.folder}/, ${p.episodes} episodes): serve it to a phone with ` +
      `'voiceguide serve ${folder}/${p.folder}' and subscribe to ${p.feed}` })) : [el("li", { text: "None yet." })]));
}

function phaseItem(phase, i) {
  const id = (key) => `phase-${i}-${key}`;
  const number = (key, label, value) => {
    const input = el("input", { id: id(key), type: "number", inputmode: "numeric", value: value ?? "",
      "data-field": `phases[${i}].${key}`, "data-form": "program", "aria-describedby": id("error") });
    input.addEventListener("input", () => { phase[key] = input.value; });
    return el("p", { class: "field" }, el("label", { for: id(key), text: label }), input);
  };
  const routines = [...program.choices.files, ...program.choices.presets];
  const routine = el("select", { id: id("routine"), "data-field": `phases[${i}].routine`, "data-form": "program",
    "aria-describedby": id("error") },
    ...program.choices.files.map((f) => el("option", { value: f, text: `${f} (saved here)`, selected: phase.routine === f })),
    ...program.choices.presets.map((p) => el("option", { value: p, text: `preset: ${p}`, selected: phase.routine === p })));
  if (!routines.includes(phase.routine)) phase.routine = routines[0];
  routine.value = phase.routine;
  routine.addEventListener("change", () => { phase.routine = routine.value; });
  const guidance = el("select", { id: id("guidance"), "data-field": `phases[${i}].guidance`, "data-form": "program",
    "aria-describedby": id("error") }, ...state.catalog.guidance.map((g) => el("option", { value: g, text: g, selected: phase.guidance === g })));
  guidance.addEventListener("change", () => { phase.guidance = guidance.value; });
  return el("li", { class: "step", id: `phase-${i}` }, el("div", { role: "group", "aria-labelledby": id("heading") },
    el("h4", { id: id("heading"), text: `Phase ${i + 1}` }),
    el("div", { class: "dose" },
      number("days", "Days (empty: the rest)", phase.days),
      el("p", { class: "field" }, el("label", { for: id("routine"), text: "Routine" }), routine),
      number("hold_first", "Hold on its first day (s)", phase.hold_first),
      number("hold_last", "Hold on its last day (s)", phase.hold_last),
      el("p", { class: "field" }, el("label", { for: id("guidance"), text: "Guidance" }), guidance)),
    el("span", { class: "field-error", id: id("error"), "data-for": `phases[${i}]`, "data-form": "program" }),
    el("button", { type: "button", class: "quiet", "aria-label": `Remove phase ${i + 1}`, text: "Remove",
      onclick: () => { program.phases.splice(i, 1); renderPhases(); } })));
}

function renderPhases() {
  $("phases").replaceChildren(...program.phases.map(phaseItem));
}

function programTable() {
  const out = { title: $("program-title").value, days: numberOr($("program-days").value) };
  const rest = [...document.querySelectorAll("#rest-days input:checked")].map((box) => box.value);
  if (rest.length) out.rest_days = rest;
  out.phases = program.phases.map((phase) => {
    const table = { routine: phase.routine };
    if (String(phase.days ?? "").trim() !== "") table.days = numberOr(phase.days);
    const first = String(phase.hold_first ?? "").trim(), last = String(phase.hold_last ?? "").trim();
    if (first && last) table.hold = [numberOr(first), numberOr(last)];
    else if (first || last) table.hold = numberOr(first || last);
    if (phase.guidance && phase.guidance !== "full") table.guidance = phase.guidance;
    return table;
  });
  return out;
}

function programRequest() {
  return { program: programTable(), start: $("program-start").value, at: $("program-at").value,
    base_url: $("program-base").value.trim() };
}

async function programHandout(stem) {
  // The rendered program on the handout: its plan, and its feed's QR code where a phone elsewhere can reach it.
  const found = await get(`feed/${encodeURIComponent(stem)}.json`);
  if (!found.ok) return;
  const feed = await found.json();
  if (!$("plan").textContent) await planProgram();
  $("handout-program").hidden = false;
  $("handout-program-title").textContent = `Program: ${feed.title}`;
  $("handout-plan").textContent = $("plan").textContent;
  $("handout-qr").hidden = !feed.reachable;
  if (feed.reachable) {
    $("handout-qr").src = withToken(`${API}feed/${encodeURIComponent(stem)}.svg`);
    $("handout-qr").alt = `QR code of the feed address ${feed.feed}`;
    $("handout-feed").textContent = `Scan to subscribe in a podcast app (AntennaPod, gPodder, Podcast Addict): ${feed.feed}`;
  } else {
    $("handout-feed").textContent = `Its feed is on this computer only (${feed.feed}). To get it onto the phone: ` +
      `on this computer run 'voiceguide serve ${state.catalog.folder}/${stem} --lan', then, on the same Wi-Fi, ` +
      "scan the QR code it prints with the phone, and subscribe to the feed from the page that opens.";
  }
}

async function planProgram() {
  const { ok, data } = await post("program/plan", programRequest());
  if (!ok) { showError(data, "program"); return; }
  clearErrors();
  $("plan").hidden = false;
  $("plan").textContent = data.plan;
  $("program-status").textContent = `Plan of ${data.file}.`;
}

async function saveProgram() {
  const { ok, data } = await post("program/save", { program: programTable() });
  if (!ok) { showError(data, "program"); return; }
  clearErrors();
  $("program-status").textContent = data.message;
}

async function renderProgram() {
  const { ok, data } = await post("program/render", programRequest());
  if (!ok) { showError(data, "program"); return; }
  clearErrors();
  $("program-status").textContent = "Rendering: the progress is under Audio.";
  $("result").hidden = true;
  $("build").disabled = true;
  $("cancel").disabled = false;
  delete document.body.dataset.build;
  poll(data.job);
}

function startPrograms() {
  $("program-start").value = new Date().toISOString().slice(0, 10);
  $("add-phase").addEventListener("click", () => {
    program.phases.push({ guidance: "full" });
    renderPhases();
    $(`phase-${program.phases.length - 1}-days`).focus();
  });
  $("plan-program").addEventListener("click", planProgram);
  $("save-program").addEventListener("click", saveProgram);
  $("render-program").addEventListener("click", renderProgram);
  return loadProgramChoices().then(() => {
    for (const day of program.choices.weekdays) {
      const id = `rest-${day}`;
      $("rest-days").append(el("label", { for: id }, el("input", { type: "checkbox", id, value: day }), day));
    }
    program.phases.push({ guidance: "full" });
    renderPhases();
  });
}

async function start() {
  state.catalog = await (await get("catalog.json")).json();
  for (const ex of state.catalog.exercises) state.byId.set(ex.id, ex);
  $("folder").textContent = state.catalog.folder + "/";
  fillChoices();
  for (const id of ["search", "filter-target", "filter-position"]) $(id).addEventListener("input", renderCatalog);
  for (const id of ["title", "guidance", "laps", "intro", "outro", "countdown", "rate"]) $(id).addEventListener("input", changed);
  $("save").addEventListener("click", save);
  $("print").addEventListener("click", () => window.print());
  $("open").addEventListener("change", openFile);
  $("build").addEventListener("click", build);
  $("cancel").addEventListener("click", cancel);
  renderCatalog();
  renderSteps();
  renderHandout();
  await startPrograms();
  document.body.dataset.ready = "true";
}

start();
