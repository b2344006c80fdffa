/* @name InsertReturningStar */
INSERT INTO authors (id, name, bio) VALUES (:id!, :name!, :bio) RETURNING *;

/* @name UpdateReturning */
UPDATE authors SET bio = :bio WHERE id = :id! AND bio IS NOT NULL RETURNING id, name, bio;

/* @name DeleteReturning */
DELETE FROM reviews r USING books b WHERE r.book_id = b.id AND b.id = :bookId! RETURNING r.stars, r.body, b.subtitle;

/* @name UpdateWithoutReturning */
UPDATE authors SET bio = NULL WHERE id = :id!;
