// Bot-check a form inside a Server Action
"use server";
import { humaFormCheck } from "usehuma/next";
declare function redirect(url: string): never;

export async function signUp(formData: FormData) {
  const check = await humaFormCheck(formData); // uses HUMA_API_KEY env
  if (!check.human) redirect("/signup?error=bot_detected");
  // ...create the account
}
