/* @name RangeBounds */
SELECT upper('[1,)'::int4range) AS open_upper, lower('empty'::int4range) AS empty_lower,
       lower(a.name) AS lower_name, upper(a.bio) AS upper_bio, upper('abc') AS upper_literal
FROM authors a;

/* @name FieldsOfInfinity */
SELECT extract(dow FROM 'infinity'::timestamptz) AS dow, date_part('dow', 'infinity'::timestamp) AS dow_part,
       date_trunc('day', 'infinity'::timestamp) AS day;

/* @name ConcatOfVariadicNull */
SELECT concat(VARIADIC NULL::text[]) AS variadic, concat_ws(',', VARIADIC NULL::text[]) AS variadic_ws,
       concat('a', NULL) AS plain;

/* @name NtileAndCurrentSchema */
SELECT ntile(NULL::int) OVER () AS null_buckets, ntile(2) OVER () AS two_buckets, current_schema::text AS schema
FROM authors;
