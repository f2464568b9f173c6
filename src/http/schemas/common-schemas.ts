import { Type } from 'typebox';

/** `api` may be sent in the query string of any request (or in the body, or the `X-Api-Version` header). */
export const ApiVersionQuery = Type.Object(
  { api: Type.Optional(Type.String({ maxLength: 50 })) },
  { additionalProperties: false },
);

export const ApiVersionField = Type.Optional(Type.String({ maxLength: 50 }));

/** The body of a route that takes none: it may only name the API version (see `emptyBodyWhenAbsent`). */
export const NoBody = Type.Object({ api: ApiVersionField }, { additionalProperties: false });

export const Uuid = Type.String({ format: 'uuid', maxLength: 36 });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      field: Type.Optional(Type.String()),
      reason: Type.Optional(Type.String()),
      permission: Type.Optional(Type.String()),
    }),
  },
  { additionalProperties: false },
);

/** ISO 8601 timestamps in responses. */
export const Timestamp = Type.String({ format: 'date-time' });

export function isoTime(milliseconds: number): string {
  return new Date(milliseconds).toISOString();
}

/** 204 responses carry no body. */
export const NoContent = Type.Null();
