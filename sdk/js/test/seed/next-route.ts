// Protect a Route Handler
import { withHumaProtection } from "usehuma/next";

export const POST = withHumaProtection(async (req, huma) => {
  const body = await req.json(); // handler still gets the body
  return Response.json({ ok: true, confidence: huma.confidence });
});
