// Request validation (issue 13, input validation): a JSON body is taken as sent — no type coercion
// (`{"alarmId":true}` is not alarm 1), no stripping of unknown fields (they are refused), no null turned into
// "". Query strings and path parameters are text by nature, so they alone are converted to the declared
// number/boolean types. Every refusal is a 400 naming the field (`schemaErrorFormatter`).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler, FastifySchema } from 'fastify';

export function createValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  // allErrors stays off: with it, a crafted body can make validation quadratic (fastify's default, too).
  const strictBody = new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false, strict: false });
  const textParts = new Ajv({ coerceTypes: true, removeAdditional: false, useDefaults: true, allErrors: false, strict: false });
  return ({ schema, httpPart }) => (httpPart === 'body' ? strictBody : textParts).compile(schema as object) as ValidateFunction;
}

/** "body/alarmId must be integer", "body/x is not a known field": the message names the field. */
export function describeValidationErrors(errors: readonly Partial<ErrorObject>[], part: string): string {
  return errors
    .map((e) => {
      const at = `${part}${e.instancePath ?? ''}`;
      const params = (e.params ?? {}) as { additionalProperty?: string; missingProperty?: string };
      if (e.keyword === 'additionalProperties' && params.additionalProperty) return `${at}/${params.additionalProperty} is not a known field`;
      if (e.keyword === 'required' && params.missingProperty) return `${at}/${params.missingProperty} is required`;
      return `${at} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}
