import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { TranscodeJobSpec, TranscodeJobStatus } from '@videoforge/contracts';

/**
 * The CRD YAML is the single source of the TranscodeJob schema; this proves the zod
 * validators in contracts/ say the same thing, constraint by constraint.
 */
type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  anyOf?: Schema[];
};

const crd = parse(
  readFileSync(
    fileURLToPath(new URL('../../crds/transcodejobs.videoforge.io.yaml', import.meta.url)),
    'utf8',
  ),
) as {
  spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: Schema } }> };
};
const root = crd.spec.versions.find((v) => v.name === 'v1alpha1')?.schema.openAPIV3Schema;

const CHECKED = [
  'type',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'default',
] as const;

/** Lists every difference between the two schemas, by path. */
function differences(fromCrd: Schema, fromZod: Schema, path: string): string[] {
  const out: string[] = [];
  for (const key of CHECKED) {
    let a = fromCrd[key];
    let b = fromZod[key];
    // JSON Schema's "integer" is the CRD's integer; formats like date-time are strings on both sides.
    if (key === 'type' && a === 'integer' && b === 'integer') continue;
    if (key === 'pattern') {
      a = typeof a === 'string' ? new RegExp(a).source : a;
      b = typeof b === 'string' ? new RegExp(b).source : b;
    }
    if (JSON.stringify(a) !== JSON.stringify(b))
      out.push(`${path}: ${key} is ${JSON.stringify(a)} in the CRD, ${JSON.stringify(b)} in zod`);
  }
  const crdRequired = [...(fromCrd.required ?? [])].sort();
  const zodRequired = [...(fromZod.required ?? [])].sort();
  if (JSON.stringify(crdRequired) !== JSON.stringify(zodRequired)) {
    out.push(
      `${path}: required is ${JSON.stringify(crdRequired)} in the CRD, ${JSON.stringify(zodRequired)} in zod`,
    );
  }
  const names = new Set([
    ...Object.keys(fromCrd.properties ?? {}),
    ...Object.keys(fromZod.properties ?? {}),
  ]);
  for (const name of names) {
    const a = fromCrd.properties?.[name];
    const b = fromZod.properties?.[name];
    if (!a || !b) out.push(`${path}.${name}: only in ${a ? 'the CRD' : 'zod'}`);
    else out.push(...differences(a, b, `${path}.${name}`));
  }
  if (fromCrd.items || fromZod.items) {
    if (!fromCrd.items || !fromZod.items) out.push(`${path}[]: items only on one side`);
    else out.push(...differences(fromCrd.items, fromZod.items, `${path}[]`));
  }
  return out;
}

function zodSchema(schema: z.ZodType): Schema {
  // 'input' keeps fields with defaults optional, as the CRD (whose server applies them) sees them.
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Schema;
  return strip(json);
}

/**
 * zod spells a few things differently: safe-integer bounds on every int (the CRD's
 * int64 has its own), date-times as a pattern beside the format, `/` escaped in patterns.
 */
function strip(schema: Schema & { format?: string }): Schema {
  const copy: Schema & { format?: string } = { ...schema };
  if (copy.maximum === Number.MAX_SAFE_INTEGER) delete copy.maximum;
  if (copy.minimum === Number.MIN_SAFE_INTEGER) delete copy.minimum;
  if (copy.format === 'date-time') delete copy.pattern;
  if (copy.properties)
    copy.properties = Object.fromEntries(
      Object.entries(copy.properties).map(([k, v]) => [k, strip(v)]),
    );
  if (copy.items) copy.items = strip(copy.items);
  return copy;
}

describe('the TranscodeJob CRD and the zod validators', () => {
  it('has a v1alpha1 schema', () => {
    expect(root?.properties?.spec).toBeDefined();
  });

  it('agree on every spec field and constraint', () => {
    expect(differences(root?.properties?.spec ?? {}, zodSchema(TranscodeJobSpec), 'spec')).toEqual(
      [],
    );
  });

  it('agree on every status field and constraint', () => {
    expect(
      differences(root?.properties?.status ?? {}, zodSchema(TranscodeJobStatus), 'status'),
    ).toEqual([]);
  });

  it('would notice a drift', () => {
    const drifted = TranscodeJobSpec.extend({
      maxRetries: z.number().int().min(0).max(11).default(2),
    });
    expect(differences(root?.properties?.spec ?? {}, zodSchema(drifted), 'spec')).toEqual([
      'spec.maxRetries: maximum is 10 in the CRD, 11 in zod',
    ]);
  });
});
