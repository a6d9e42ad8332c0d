// The seed's server-side code examples (usehuma-public-docs.txt), as
// written; only the wrapping functions (to run them) and `redirect` (Next's,
// recorded here) are added. The base URL comes from HUMA_BASE_URL.
"use server";
import { verifyWithSignals } from "usehuma";
import { humaFormCheck } from "usehuma/next";
import { withHumaProtection } from "usehuma/next";

export const redirects: string[] = [];
function redirect(url: string): never {
  redirects.push(url);
  throw new Error("NEXT_REDIRECT " + url);
}

export async function apiCheck(req: { body: any }) {
  // In your API route (server-side):
  const result = await verifyWithSignals({
    apiKey: process.env.HUMA_API_KEY!, // huma_live_... (keep secret)
    userId: req.body.userId,
    signals: req.body.signals, // forwarded from browser
  });
  if (result.human) { /* allow */ }
  return result;
}

export const created: FormData[] = [];

export async function signUp(formData: FormData) {
  const check = await humaFormCheck(formData); // uses HUMA_API_KEY env
  if (!check.human) redirect("/signup?error=bot_detected");
  // ...create the account
  created.push(formData);
}

// Protect a Route Handler
export const POST = withHumaProtection(async (req, huma) => {
  const body = await req.json(); // handler still gets the body
  return Response.json({ ok: true, confidence: huma.confidence, body });
});
