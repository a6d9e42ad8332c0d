// CommonJS consumers: `require` types of every entry point.
import core = require('usehuma');
import react = require('usehuma/react');
import next = require('usehuma/next');

const r: core.VerifyResult | null = null;
const e: core.HumaError = new core.HumaError('x', 'INVALID_API_KEY', 401);
const gate: typeof react.HumaGate = react.HumaGate;
const check: (f: FormData) => Promise<next.HumaCheck> = next.humaFormCheck;
export { r, e, gate, check };
