/** One line for the TUI's status: the current lab step, and the running scenario's hypothesis or its verdict. */
import { currentStep } from "../lab/lab.ts";
import { current, readJournal } from "./journal.ts";

/** "lab 07-chaos-basics 1/2 · delay-service-a: api-gateway p95 expect > 1.28 s within 60 s", or PASS/FAIL once known. */
export async function verdictStatus(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const [step, running] = await Promise.all([currentStep(env), readJournal(env).then(current)]);
  const parts: string[] = step ? [`lab ${step}`] : [];
  if (running) {
    const { verdict, start } = running;
    const said = verdict ? (verdict.ok ? "PASS" : "FAIL") : (start.stated?.text.replace(/ now .*?; /, " ") ?? "on");
    parts.push(`${start.scenario}: ${said}`);
  }
  return parts.length > 0 ? parts.join(" · ") : undefined;
}
