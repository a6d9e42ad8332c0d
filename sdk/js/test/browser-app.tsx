// The page of the real-browser test: a sign-up form inside HumaGate, built
// from the package's own exports (`usehuma/react`) by esbuild.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { HumaGate, type HumaGateResult } from 'usehuma/react';

const cfg = (window as any).__HUMA__ as { apiKey: string; userId: string; baseUrl: string };

function App() {
  const [outcome, setOutcome] = useState('');
  const done = (kind: string) => (r?: HumaGateResult) => {
    (window as any).__gate = { kind, result: r };
    setOutcome(kind);
  };
  return (
    <HumaGate apiKey={cfg.apiKey} userId={cfg.userId} baseUrl={cfg.baseUrl} onPass={done('pass')} onBlock={done('block')}>
      <form aria-label="signup">
        <label>Email <input name="email" /></label>
        <button type="submit">Sign up</button>
      </form>
      <p id="outcome">{outcome}</p>
    </HumaGate>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
