import { HumaGate } from "usehuma/react";

// Wraps any form — silently verifies on submit.
// Shows HumaChallenge automatically if confidence is uncertain.
<HumaGate
  apiKey="huma_live_..."
  userId={user.id}
  baseUrl="https://huma.example.com"
  onPass={(result) => submitForm(result.token)}
  onBlock={() => showBotError()}
>
  <MyForm />
</HumaGate>
export {};
