/** Types of scripts/fuzz.mjs for the tests that import it. */
export function mulberry32(seed: number): () => number;

export interface FuzzFinding {
  kind: 'hang' | 'crash' | 'memory' | 'falseValid' | 'badSignature';
  case: number;
  seed: number;
  mutation: string;
  seedFile: string;
  what: string;
  detail: string;
  file: string;
}

export interface FuzzStats {
  cases: number;
  ok: number;
  refused: number;
  slow: number;
  hangs: number;
  crashes: number;
  memory: number;
  falseValid: number;
  badSignature: number;
  agentCalls: number;
  workersStarted: number;
  peakRssMb: number;
  seconds: number;
  findings: FuzzFinding[];
}

export function runFuzz(options?: {
  cases?: number;
  seed?: number;
  deadlineMs?: number;
  agentEvery?: number;
  signEvery?: number;
  out?: string;
  log?: (line: string) => void;
}): Promise<FuzzStats>;
