import { HumaChallenge } from 'usehuma/react';

export async function Step() {
  // After verify() returns borderline confidence:
  const ch = await fetch('/api/v1/challenge/create', {
    method: 'POST',
    headers: { Authorization: 'Bearer huma_live_...' },
    body: JSON.stringify({ userId }),
  }).then(r => r.json());

  return (
    <HumaChallenge
      challengeId={ch.challenge_id}
      type={ch.type}
      payload={ch.payload}
      apiKey="huma_live_..."
      baseUrl="https://huma.example.com"
      onPassed={(token) => continueLogin(token)}
      onBlocked={() => router.push('/blocked')}
    />
  );
}
