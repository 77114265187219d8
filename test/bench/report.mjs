import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

// The run's one table, its target ratios and the JSON file the README points to.

const fixed = (value, digits) =>
  value === null || value === undefined ? "–" : value.toFixed(digits);
const whole = (value) =>
  value === null || value === undefined ? "–" : Math.round(value).toLocaleString("en-US");

/** Non-200 answers, e.g. `404×1234`; a scenario with any is not a clean measurement. */
function statusNote(row) {
  if (!row.statuses) return [];
  const bad = Object.entries(row.statuses).filter(([status]) => status !== "200");
  return bad.length === 0 ? [] : [`non-200: ${bad.map(([s, n]) => `${s}×${n}`).join(" ")}`];
}

/** Renders rows as a fixed-width text table, numbers right-aligned. */
export function formatTable(rows) {
  const header = ["scenario", "req/s", "tasks/s", "p50 ms", "p99 ms", "p50 c=1", "cpu ms", "notes"];
  const lines = rows.map((row) => [
    row.scenario,
    whole(row.rps),
    row.tasks ? whole(row.tasksPerSec) : "–",
    fixed(row.p50, 2),
    fixed(row.p99, 2),
    fixed(row.p50Serial, 2),
    fixed(row.cpuMs, 3),
    [row.route, ...statusNote(row), ...row.notes].filter(Boolean).join("; "),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column].length)),
  );
  const render = (cells) =>
    cells
      .map((cell, column) => {
        if (column === cells.length - 1) return cell;
        return column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]);
      })
      .join("  ");
  return [
    render(header),
    render(widths.map((width) => "-".repeat(width))),
    ...lines.map(render),
  ].join("\n");
}

const clean = (row) => row && row.failures === 0;

/** The issue's four targets, each computed from rows of this same run. */
export function evaluateTargets(byName, scaling) {
  const floor = byName.floor;
  const pull10 = byName["pull limit=10"];
  const pull100 = byName["pull limit=100"];
  const contention = byName.contention;
  const smallest = scaling[0];
  const largest = scaling[scaling.length - 1];

  const targets = [
    {
      target: "pull limit=10 req/s ≥ 0.6 × floor req/s",
      value: pull10.rps / floor.rps,
      shown: `${fixed(pull10.rps / floor.rps, 2)} ×`,
      pass: clean(pull10) && pull10.rps / floor.rps >= 0.6,
    },
    {
      target: "tasks claimed/s at limit=100 ≥ 10 000",
      value: pull100.tasksPerSec,
      shown: `${whole(pull100.tasksPerSec)} /s`,
      pass: clean(pull100) && pull100.tasksPerSec >= 10_000,
    },
    {
      target: `p50 pull at ${whole(largest.size)} tasks ≤ 1.3 × at ${whole(smallest.size)}`,
      value: largest.p50 / smallest.p50,
      shown: `${fixed(largest.p50 / smallest.p50, 2)} ×`,
      pass: clean(smallest) && clean(largest) && largest.p50 / smallest.p50 <= 1.3,
    },
    {
      target: "contention: duplicates = 0 and lost = 0",
      value: { duplicates: contention.duplicates, lost: contention.lost },
      shown: `${contention.duplicates} dup, ${contention.lost} lost`,
      pass: contention.duplicates === 0 && contention.lost === 0 && contention.tasks > 0,
    },
  ];
  return targets;
}

/** Ratios without a target that say where the time goes. */
export function explainRatios(byName) {
  const ratio = (a, b, field) => (a && b ? a[field] / b[field] : null);
  return [
    [
      "probe: minimum pull ÷ floor (req/s): ceiling of target 1",
      ratio(byName["probe: minimum pull"], byName.floor, "rps"),
    ],
    [
      "probe: D1 write ÷ floor (req/s): one write, no limiter",
      ratio(byName["probe: D1 write"], byName.floor, "rps"),
    ],
    [
      "probe: pull storage path ÷ floor (req/s)",
      ratio(byName["probe: pull storage path"], byName.floor, "rps"),
    ],
    [
      "pull limit=10 ÷ probe: pull storage path (req/s)",
      ratio(byName["pull limit=10"], byName["probe: pull storage path"], "rps"),
    ],
    ["auth floor ÷ floor (req/s)", ratio(byName["auth floor"], byName.floor, "rps")],
    [
      "pull limit=10 ÷ auth floor (req/s)",
      ratio(byName["pull limit=10"], byName["auth floor"], "rps"),
    ],
    [
      "pull limit=10 ÷ storage claim limit=10 (tasks/s)",
      ratio(byName["pull limit=10"], byName["storage claim limit=10"], "tasksPerSec"),
    ],
    [
      "pull limit=100 ÷ storage claim limit=100 (tasks/s)",
      ratio(byName["pull limit=100"], byName["storage claim limit=100"], "tasksPerSec"),
    ],
    [
      "storage pull batch ÷ claim alone, limit=10 (claims/s)",
      ratio(byName["storage pull batch limit=10"], byName["storage claim limit=10"], "rps"),
    ],
  ].map(([name, value]) => ({ name, value }));
}

export function formatTargets(targets, ratios) {
  const lines = targets.map(
    (t) => `${t.pass ? "PASS" : "FAIL"}  ${t.target.padEnd(48)} ${t.shown}`,
  );
  lines.push("", ...ratios.map((r) => `      ${r.name.padEnd(52)} ${fixed(r.value, 3)}`));
  return lines.join("\n");
}

export function formatSeeding(seeding) {
  return seeding
    .map(
      (s) =>
        `  ${s.step.padEnd(40)} ${whole(s.rows).padStart(10)} rows  ${fixed(s.ms / 1000, 2)} s`,
    )
    .join("\n");
}

/** Where one pull's time goes inside SQLite: each statement's mean time and its query plan. */
export function formatBreakdown(row) {
  if (!row?.perStatement) return "";
  const lines = row.perStatement.map((entry, index) => {
    const plan = row.plans[index].plan.join(" | ");
    return `  ${entry.statement.padEnd(32)} ${fixed(entry.msPerPull, 3).padStart(8)} ms  ${plan}`;
  });
  return [`Inside one pull (${row.scenario}), mean per statement and query plan:`, ...lines].join(
    "\n",
  );
}

/** Writes everything, minus raw latency samples, as pretty JSON. */
export function writeResults(path, results) {
  const strip = ({ latencies: _latencies, ...row }) => row;
  const json = { ...results, rows: results.rows.map(strip) };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
}
