/* @name FindItem */
SELECT * FROM inv.items WHERE id = :id!;

/* @name MissingColumn */
SELECT id, name
FROM inv.items
WHERE name = :name! AND nickname = :nick;

/* @name Unnamed */
SELECT id, qty + 1 FROM inv.items;

/* @name SyntaxError */
SELECT id FROM inv.items WHERE AND qty > :min!;

/* @name UnsupportedColumnType */
SELECT relname FROM pg_catalog.pg_class WHERE oid = :oid!;
