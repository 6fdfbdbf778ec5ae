/** The reports of a run (DESIGN.md: JSON is the source of truth; JUnit XML, one HTML page, a console summary). */
import type { RunResult } from '../checks/types.ts';
import { writeHtmlReport } from './html.ts';
import { writeJUnit } from './junit.ts';
import { writeResultsJson } from './json.ts';
import type { ReportOptions } from './sanitize.ts';

export { toResultsJson, toResultsObject, validateResultsJson, writeResultsJson, RESULTS_FILE } from './json.ts';
export { toJUnitXml, writeJUnit, JUNIT_FILE } from './junit.ts';
export { renderHtmlReport, writeHtmlReport, HTML_FILE } from './html.ts';
export { formatConsoleSummary, type ConsoleOptions } from './console.ts';
export { sanitizeRun, maskSecretShapes, type ReportOptions } from './sanitize.ts';
export { verdictLabel, verdictSentence } from './verdict.ts';

export interface WrittenReports {
  json: string;
  junit: string;
  html: string;
}

/** Writes results.json, junit.xml and report.html into `dir` (created if missing). */
export async function writeReports(run: RunResult, dir: string, opts: ReportOptions = {}): Promise<WrittenReports> {
  const [json, junit, html] = await Promise.all([
    writeResultsJson(run, dir, opts),
    writeJUnit(run, dir, opts),
    writeHtmlReport(run, dir, opts),
  ]);
  return { json, junit, html };
}
