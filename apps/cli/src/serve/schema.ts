// Request bodies of the OpenAI-compatible endpoints, validated with zod so a bad field is
// answered with a 400 naming it. Unknown fields are ignored (clients send many we do not use).
import { z } from 'zod';

export const MAX_N = 64;
export const MAX_STOPS = 16;

const sampling = {
  model: z.string().optional().nullable(),
  max_tokens: z.number().int().min(1).optional().nullable(),
  temperature: z.number().min(0).max(2).optional().nullable(),
  top_p: z.number().gt(0).max(1).optional().nullable(),
  /** Extension (vLLM's spelling): -1 or 0 = off. */
  top_k: z.number().int().min(-1).optional().nullable(),
  n: z.number().int().min(1).max(MAX_N).optional().nullable(),
  stop: z
    .union([z.string().min(1), z.array(z.string().min(1)).max(MAX_STOPS)], {
      error: `must be a non-empty string or an array of at most ${MAX_STOPS} of them`,
    })
    .optional()
    .nullable(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().nullable(),
  stream: z.boolean().optional().nullable(),
  stream_options: z.object({ include_usage: z.boolean().optional().nullable() }).optional().nullable(),
};

const content = z.union([z.string(), z.array(z.object({ type: z.literal('text'), text: z.string() })), z.null()], {
  error: 'must be a string or an array of {"type": "text", "text": ...} parts',
});

export const ChatRequest = z.object({
  ...sampling,
  max_completion_tokens: z.number().int().min(1).optional().nullable(),
  messages: z
    .array(
      z.object({
        role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
        content,
      }),
    )
    .min(1),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

export const CompletionRequest = z.object({
  ...sampling,
  prompt: z.union(
    [
      z.string(),
      z.array(z.string()).min(1),
      z.array(z.number().int().min(0)).min(1),
      z.array(z.array(z.number().int().min(0)).min(1)).min(1),
    ],
    { error: 'must be a string, an array of strings, an array of token ids or an array of token-id arrays' },
  ),
});
export type CompletionRequest = z.infer<typeof CompletionRequest>;

/** The first problem of a failed parse as `"field.path": message`. */
export function describeIssue(error: z.ZodError): { message: string; param: string | null } {
  const issue = error.issues[0];
  const param = issue.path.length ? issue.path.join('.') : null;
  return { message: param ? `"${param}": ${issue.message}` : `request body: ${issue.message}`, param };
}
