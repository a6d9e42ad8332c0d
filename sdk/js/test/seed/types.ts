import type { VerifyResult, SessionResult } from "usehuma";

// VerifyResult
// { human: boolean; confidence: number; score: number;
//   token: string; pii_stored: false }
const v: VerifyResult = { human: true, confidence: 0.92, score: 92, token: "h_verified_x", pii_stored: false };
// SessionResult
// { score: number; delta: number; anomaly: boolean;
//   action: "allow" | "flag" | "block"; notes: string[] }
const s: Pick<SessionResult, "score" | "delta" | "anomaly" | "action" | "notes"> = { score: 81, delta: -11, anomaly: false, action: "allow", notes: [] };
export { v, s };
