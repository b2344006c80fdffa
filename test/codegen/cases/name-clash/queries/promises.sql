/* @name ListPromisesDueBefore */
SELECT * FROM shop.promises WHERE due_on <= :day! ORDER BY due_on;

/* @name FindPromisesByBody */
SELECT * FROM shop.promises WHERE body = :body!;
