import { useHuma } from "usehuma/react";

function SignupForm() {
  const { verify, collecting } = useHuma({
    apiKey: "huma_live_...",
    userId: currentUser.id,
    baseUrl: "https://huma.example.com",
  });

  async function handleSubmit() {
    const result = await verify();
    if (result.human) {
      // proceed
    }
  }

  return <button onClick={handleSubmit}>Sign up</button>;
}
export { SignupForm };
