/* @name Count */
SELECT count(*) AS "total!" FROM shop.items;

/* @name Delete */
DELETE FROM shop.items WHERE name = :name!;

/* @name GetMany */
SELECT * FROM shop.items WHERE name = :name!;

/* @name Constructor */
SELECT id FROM shop.items;

/* @name FindItem */
SELECT * FROM shop.items WHERE name = :name!;

/* @name findItem */
SELECT * FROM shop.items WHERE id = :id!;

/* @name ListByName */
SELECT * FROM shop.items ORDER BY name;
