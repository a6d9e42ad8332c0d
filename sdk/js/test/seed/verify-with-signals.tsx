import { verifyWithSignals } from "usehuma";

// Browser: collect signals and forward them.
// const signals = Huma.debug()?.features;
// fetch('/api/check', { body: JSON.stringify({ userId, signals }) });

// In your API route (server-side):
const result = await verifyWithSignals({
  apiKey: process.env.HUMA_API_KEY!, // huma_live_... (keep secret)
  userId: req.body.userId,
  signals: req.body.signals, // forwarded from browser
  baseUrl: "https://huma.example.com",
});

if (result.human) { /* allow */ }
export {};
