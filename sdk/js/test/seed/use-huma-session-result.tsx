import { useHumaSession } from 'usehuma/react';

const { anomaly, lastResult } = useHumaSession({
  apiKey: 'huma_live_...',
  userId: 'user_123',
  baseUrl: 'https://huma.example.com',
  token: verifyResult.token,
  onAnomaly: (r) => router.push('/logout'),
});
export {};
