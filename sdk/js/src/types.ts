/** Behavioural signals, wire format v1 (`sessionData`). */
export interface Signals {
  v: 1;
  dur: number;
  m: number[];
  c: number[];
  k: number[];
  s: number[];
  t: number[];
  f: number[];
  n: { m: number; mc: number; c: number; k: number; s: number; t: number; u: number; uk?: number };
  env?: {
    host?: string;
    webdriver?: boolean;
    cdp?: boolean;
    headless_ua?: boolean;
    chrome_obj?: boolean;
    plugins?: number;
    languages?: number;
    touch_points?: number;
    screen?: [number, number];
    outer?: [number, number];
    inner?: [number, number];
    dpr?: number;
    /** huma's extension: the user agent was rewritten by its driver (see the README). */
    ua_spoofed?: boolean;
  };
}

/** AI-agent detection, present on plans with the agent block when signals were sent. */
export interface AgentBlock {
  is_agent: boolean;
  agent_confidence: number;
  signals: string[];
}

/** The answer of `POST /api/v1/verify`. */
export interface VerifyResult {
  human: boolean;
  confidence: number;
  score: number;
  token: string;
  pii_stored: false;
  notes?: string[];
  agent?: AgentBlock;
  reasons?: { code: string; weight: number }[];
}

/** The answer of `POST /api/v1/session` (heartbeat). */
export interface SessionResult {
  score: number;
  confidence: number;
  baseline: number;
  delta: number;
  anomaly: boolean;
  action: 'allow' | 'flag' | 'block';
  notes: string[];
}

export type ChallengeType = 'click_targets' | 'pattern';

export interface ClickTargetsPayload {
  instruction: string;
  targets: { id: string; x: number; y: number; label: string }[];
}

export interface PatternPayload {
  instruction: string;
  grid: number;
  sequence_hint: number[];
}

/** The answer of `POST /api/v1/challenge/create`. */
export interface Challenge {
  challenge_id: string;
  type: ChallengeType;
  payload: ClickTargetsPayload | PatternPayload;
  expires_in_seconds: number;
}

/** The answer of `POST /api/v1/challenge/verify`. */
export interface ChallengeAnswer {
  passed: boolean;
  token?: string;
  message?: string;
  attempts_remaining?: number;
}
