/* @name UnanalysedExpressions */
SELECT a.name || '!' AS shout, to_jsonb(a) -> 'bio' AS field, nullif(a.name, 'x') AS maybe_name,
       greatest(a.id, 0) AS at_least_zero
FROM authors a;

/* @name SetReturningFunction */
SELECT g.n FROM generate_series(1, 3) AS g(n);

/* @name TableOutsideCatalog */
SELECT c.relpages, c.reltuples FROM pg_catalog.pg_class c WHERE c.relname = 'authors';

/* @name View */
SELECT v.id, v.name FROM author_names v;
