/**
 * Compile-time check that the SDK's hand-written types (src/sdk/types.ts, which must stay dependency-free)
 * describe exactly what the agent's schemas accept and return. A change to one without the other fails `tsc`.
 */
import type * as Sdk from '../sdk/types.js';
import type * as z from 'zod';
import type { ParamsOf, ResultOf, progressParams } from './protocol.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const checks: [
  Same<Sdk.AgentInfo, ResultOf<'agent.info'>>,
  Same<Sdk.Certificate, ResultOf<'certificates.list'>['certificates'][number]>,
  Same<Sdk.PdfSignParams, ParamsOf<'pdf.sign'>>,
  Same<Sdk.PdfSignResult, ResultOf<'pdf.sign'>>,
  Same<Sdk.HashSignParams, ParamsOf<'hash.sign'>>,
  Same<Sdk.HashSignResult, ResultOf<'hash.sign'>>,
  Same<Sdk.VerifyResult, ResultOf<'pdf.verify'>>,
  Same<Sdk.DocxSignParams, ParamsOf<'docx.sign'>>,
  Same<Sdk.DocxSignResult, ResultOf<'docx.sign'>>,
  Same<Sdk.DocxVerifyResult, ResultOf<'docx.verify'>>,
  Same<Sdk.BatchSignParams, ParamsOf<'batch.sign'>>,
  Same<Sdk.BatchSignResult, ResultOf<'batch.sign'>>,
  Same<Sdk.ProgressStage, z.infer<typeof progressParams>['stage']>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true];
void checks;
