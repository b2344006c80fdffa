import pg from 'pg';

const DATE_OID = 1082;
const DATE_ARRAY_OID = 1182;

/**
 * Type parsers every sqlwright connection uses: `date` stays a 'YYYY-MM-DD' string (pg's default turns it
 * into a Date at local midnight, which shifts the day in other time zones). int8 and numeric stay strings,
 * as pg does by default, so no value is silently rounded.
 */
export const sqlwrightTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): any {
    if (oid === DATE_OID) return (value: string) => value;
    if (oid === DATE_ARRAY_OID) return pg.types.getTypeParser(1009 as any /* text[] */, "text");
    return pg.types.getTypeParser(oid as any, format ?? 'text');
  },
};
