// The free names the seed's examples use (the reader's own app code).
declare const currentUser: { id: string };
declare const user: { id: string };
declare const userId: string;
declare const verifyResult: { token: string };
declare const router: { push(url: string): void };
declare const req: { body: any };
declare function submitForm(token: string): void;
declare function showBotError(): void;
declare function continueLogin(token: string): void;
declare function logout(): void;
declare function reVerify(): void;
declare function MyForm(): import('react').JSX.Element;
