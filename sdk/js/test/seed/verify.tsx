import { verify } from "usehuma";

// Collects behavioral signals from the DOM and verifies in one call.
// Call this client-side at a critical moment (login, signup, checkout).
const result = await verify({
  apiKey: "huma_live_...",
  userId: "user_123",
  baseUrl: "https://huma.example.com",
});

if (result.human && result.confidence > 0.7) {
  // ✅ Real human — send result.token to your server for audit
} else {
  // 🚫 Bot — block or trigger step-up challenge
}
export {};
