import { useHumaSession } from "usehuma/react";

// Call after successful verify() to keep watching mid-session.
useHumaSession({
  apiKey: "huma_live_...",
  userId: user.id,
  baseUrl: "https://huma.example.com",
  interval: 45_000, // heartbeat every 45s
  onAnomaly: (action) => {
    if (action === "block") logout(); // account takeover detected
    if (action === "flag") reVerify();
  },
});
export {};
